// The read log (lib/readlog.c): on SQLite the server's audit records of reads
// wait in files beside the database and join the audit table about once a
// second. Proves: every answered read is in the audit table exactly once,
// after a clean stop (the files are then removed), while running (the audit
// list shows a read at once), and after the server was killed (the next start
// carries over what was left, without copying anything twice). The records
// go through the group-commit writer (lib/store/writer.c): on PostgreSQL
// straight into the audit table, so the kill test runs on both backends.
// Also: one server per SQLite file (lib/store/serverlock.c).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, makeDb, request, sql, civgrid, cleanEnv, BACKEND, BIN } from './harness.mjs';
import { spawn } from 'node:child_process';

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

describe(`read log (${BACKEND})`, { skip: BACKEND !== 'sqlite' && 'PostgreSQL has no log files: the writer commits reads to the audit table' }, () => {
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

/** Every audit entry of resident searches, through GET /api/v1/audit, page by page. */
async function searchRecords(srv, headers) {
  const all = [];
  for (let before = 0; ;) {
    const r = await request(srv.url, 'GET', `/api/v1/audit?action=resident.&limit=1000${before ? `&before=${before}` : ''}`, { headers });
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.items);
    if (r.json.items.length < 1000) return all;
    before = r.json.items[r.json.items.length - 1].id;
  }
}

describe(`read log under kill -9 (${BACKEND})`, () => {
  it('a kill -9 during a stream of audited searches loses no record of an answered search', async () => {
    const db = await makeDb();
    let srv;
    try {
      srv = await startServer({ db, threads: 4 });
      const headers = await signIn(srv);
      // 16 clients search without pause, each text used once; a search
      // counts as answered once its whole 200 response has been read.
      const answered = [];
      let died = false;
      const client = async (k) => {
        for (let i = 0; !died; i++) {
          const tag = `k9c${k}n${i}`;
          let r;
          try {
            r = await request(srv.url, 'GET', `/api/v1/residents?q=${tag}`, { headers, timeoutMs: 10000 });
          } catch {
            return; // the server died under this search: it was never answered
          }
          assert.equal(r.status, 200, r.text);
          answered.push(tag);
        }
      };
      const clients = Array.from({ length: 16 }, (_, k) => client(k));
      const deadline = Date.now() + 10000;
      while (answered.length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      srv.proc.kill('SIGKILL'); // in the middle of the stream: searches are in flight
      await srv.exited;
      died = true;
      await Promise.all(clients);
      assert.ok(answered.length >= 300, `only ${answered.length} searches answered before the kill`);

      srv = await startServer({ db });
      const records = await searchRecords(srv, await signIn(srv));
      const count = new Map();
      for (const e of records) {
        const m = /^q=(k9c\d+n\d+) /.exec(e.detail || '');
        if (m) count.set(m[1], (count.get(m[1]) || 0) + 1);
      }
      const lost = answered.filter((t) => !count.has(t));
      assert.deepEqual(lost, [], `${lost.length} of ${answered.length} answered searches have no audit record`);
      const twice = [...count].filter(([, n]) => n > 1).map(([t]) => t);
      assert.deepEqual(twice, [], 'every search is recorded once');
      await srv.stop();
      if (BACKEND === 'sqlite') assert.deepEqual(logFiles(db).filter(existsSync), []);
    } finally {
      await srv?.kill();
      await db.drop();
    }
  });
});

/** Runs `civgrid serve` until it exits by itself (or 10 s): {code, stderr}. */
function serveOnce(db, port) {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 10000);
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stderr }); });
  });
}

describe(`one server per SQLite file (${BACKEND})`, { skip: BACKEND !== 'sqlite' && 'PostgreSQL serves several servers from one database' }, () => {
  it('a second serve on the same file is refused, and the first loses no record', async () => {
    const db = await makeDb();
    let first;
    try {
      first = await startServer({ db });
      const headers = await signIn(first);
      await searches(first, headers, 'first');

      // The second exits at once, non-zero, naming the file and saying why;
      // before, it served, and its clean stop removed the first one's log.
      const second = await serveOnce(db.db, 0);
      assert.notEqual(second.code, 0, `a second server must not run: ${second.stderr}`);
      assert.equal(second.signal, null, `the second server had to be killed: ${second.stderr}`);
      assert.match(second.stderr, /another civgrid server/);
      assert.ok(second.stderr.includes(db.db), `the message names the database: ${second.stderr}`);
      assert.ok(logFiles(db).every(existsSync), 'the first server keeps its read log');

      // Short commands keep working beside the server.
      const env = cleanEnv({ CIVGRID_DB: db.db });
      let r = await civgrid(['user', 'add', 'beside', '--role', 'cdc', '--scope', '000000', '--password-stdin'], { env, input: 'beside-password-1\n' });
      assert.equal(r.code, 0, r.stderr);
      r = await civgrid(['user', 'list'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /beside/);
      const areas = path.join(db.dir, 'areas.csv');
      writeFileSync(areas, '编码,上级编码,层级,名称\nC9,000000,县,旁边县\n');
      r = await civgrid(['import', 'areas', areas], { env });
      assert.equal(r.code, 0, r.stderr);

      await searches(first, headers, 'after');
      await first.stop();
      assert.equal(await recorded(db, 'first'), N);
      assert.equal(await recorded(db, 'after'), N, 'searches answered after the refusal reach the audit table');
      assert.deepEqual(logFiles(db).filter(existsSync), []);
      assert.ok(!existsSync(`${db.db}-serve.lock`), 'a clean stop removes the lock file');

      // Once the first has stopped, a server starts again.
      const third = await startServer({ db });
      await third.stop();
    } finally {
      await first?.kill();
      await db.drop();
    }
  });

  it('a server killed with -9 does not keep the next one out', async () => {
    const db = await makeDb();
    try {
      const srv = await startServer({ db });
      await srv.kill();
      const again = await startServer({ db });
      await again.stop();
    } finally {
      await db.drop();
    }
  });
});
