// The read log (lib/readlog.c): on SQLite the server's audit records of reads
// wait in files beside the database and join the audit table about once a
// second. Proves: every answered read is in the audit table exactly once,
// after a clean stop (the files are then removed), while running (the audit
// list shows a read at once), and after the server was killed (the next start
// carries over what was left, without copying anything twice).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startServer, makeDb, request, sql, BACKEND } from './harness.mjs';

const N = 40;

async function signIn(srv) {
  const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: srv.adminPassword } });
  assert.equal(r.status, 200, r.text);
  return { authorization: `Bearer ${r.json.token}` };
}

/** N searches one after another, each with its own text; all answered 200. */
async function searches(srv, headers, tag) {
  for (let i = 0; i < N; i++) {
    const r = await request(srv.url, 'GET', `/api/v1/residents?q=${tag}${i}`, { headers });
    assert.equal(r.status, 200, r.text);
  }
}

/** How many audit rows record the searches of one tag (their detail names q). */
async function recorded(db, tag) {
  return Number(await sql(db, `SELECT count(*) FROM audit WHERE action LIKE 'resident.search%' AND detail LIKE 'q=${tag}%'`));
}

const logFiles = (db) => [0, 1].map((f) => `${db.db}-reads.${f}`);

describe(`read log (${BACKEND})`, { skip: BACKEND !== 'sqlite' && 'PostgreSQL commits reads to the audit table directly' }, () => {
  it('a clean stop leaves every read in the audit table and no log files', async () => {
    const db = await makeDb();
    try {
      const srv = await startServer({ db });
      await searches(srv, await signIn(srv), 'clean');
      assert.ok(logFiles(db).every(existsSync), 'the server keeps its log beside the database');
      await srv.stop();
      assert.equal(await recorded(db, 'clean'), N);
      assert.deepEqual(logFiles(db).filter(existsSync), [], 'nothing left beside the database');
    } finally {
      await db.drop();
    }
  });

  it('the audit list shows a read at once, not a second later', async () => {
    const srv = await startServer();
    try {
      const headers = await signIn(srv);
      const r = await request(srv.url, 'GET', '/api/v1/residents?q=right-now', { headers });
      assert.equal(r.status, 200, r.text);
      const list = await request(srv.url, 'GET', '/api/v1/audit?action=resident.&limit=5', { headers });
      assert.equal(list.status, 200, list.text);
      assert.ok(list.json.items.some((e) => e.detail?.startsWith('q=right-now')), list.text);
    } finally {
      await srv.stop();
    }
  });

  it('after a kill, the next start carries the reads over exactly once', async () => {
    const db = await makeDb();
    try {
      let srv = await startServer({ db });
      const headers = await signIn(srv);
      await searches(srv, headers, 'killed');
      await srv.kill(); // SIGKILL: no last move
      srv = await startServer({ db });
      await searches(srv, await signIn(srv), 'again');
      await srv.stop();
      assert.equal(await recorded(db, 'killed'), N, 'the reads answered before the kill');
      assert.equal(await recorded(db, 'again'), N);
      assert.deepEqual(logFiles(db).filter(existsSync), []);
    } finally {
      await db.drop();
    }
  });
});
