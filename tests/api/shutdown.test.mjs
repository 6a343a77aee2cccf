// Graceful shutdown: SIGTERM while ~200 writing requests are in flight lets
// the answered ones finish whole, exits 0 and leaves the database intact and
// usable; SIGINT exits 0 too.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { startServer, request, sql, BACKEND } from './harness.mjs';

const N = 200;

/** One POST on its own connection: {status, body} or {error}. */
function post(port, path, body) {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1', port, path, method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', (e) => resolve({ error: e.code || e.message, partial: true }));
    });
    req.setTimeout(60000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.code || e.message }));
    req.end(data);
  });
}

/** The number of rows in an audit table, if the schema has one table named audit*. */
async function auditRows(db) {
  const q = db.backend === 'postgresql'
    ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'audit%'"
    : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'audit%'";
  const tables = (await sql(db, q)).split('\n').filter(Boolean);
  if (tables.length !== 1) return null;
  return Number(await sql(db, `SELECT count(*) FROM ${tables[0]}`));
}

describe(`graceful shutdown (${BACKEND})`, () => {
  // Proves: SIGTERM during a burst of writes (failed logins write audit rows)
  // finishes the requests in flight, exits 0, and closes the database cleanly:
  // SQLite's WAL is checkpointed away and integrity_check says "ok"; PostgreSQL
  // serves a new server on the same database. Every answered request was
  // complete and, if the schema has an audit table, durably recorded.
  it(`SIGTERM during ${N} concurrent logins`, { timeout: 180000 }, async (t) => {
    const srv = await startServer({ threads: 4 });
    try {
      const rows0 = await auditRows(srv.dbInfo);
      let answered = 0;
      const all = [];
      for (let i = 0; i < N; i++) {
        // Unknown users: each costs a full password-hash check and an audit
        // row, and none of them locks the admin account out.
        all.push(post(srv.port, '/api/v1/session', { username: `nobody-${i}`, password: `wrong-${i}` })
          .then((r) => { if (r.status) answered++; return r; }));
      }
      // Signal once the server is demonstrably busy with the burst.
      const t0 = Date.now();
      while (answered === 0 && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 5));
      const answeredAtSignal = answered;
      assert.ok(answeredAtSignal > 0, 'no request was answered within 20 s');
      assert.ok(answeredAtSignal < N, 'all requests were answered before SIGTERM: the test proved nothing');

      await srv.stop({ timeoutMs: 120000, keepDb: true });
      const results = await Promise.all(all);

      const done = results.filter((r) => r.status);
      const partial = results.filter((r) => r.partial);
      assert.equal(partial.length, 0, `${partial.length} responses were cut off mid-body`);
      const expected = { 401: 'invalid_credentials', 429: 'account_locked', 503: 'database_busy' };
      for (const r of done) {
        assert.ok(r.status in expected, `unexpected answer ${r.status} ${r.text}`);
        assert.equal(JSON.parse(r.text).error, expected[r.status], r.text);
      }
      const n401 = done.filter((r) => r.status === 401).length;
      t.diagnostic(`${answeredAtSignal} answered before SIGTERM, ${done.length} in all, ` +
        `${results.length - done.length} refused or dropped, ${n401} failed logins`);
      assert.ok(done.length > answeredAtSignal, 'no request in flight at SIGTERM was finished');

      if (BACKEND === 'sqlite') {
        assert.ok(!existsSync(srv.db + '-wal'), 'the -wal file is still there: the database was not closed cleanly');
        assert.equal(await sql(srv.dbInfo, 'PRAGMA integrity_check'), 'ok');
      } else {
        assert.match(await sql(srv.dbInfo, 'SELECT count(*) FROM schema_migrations'), /^\d+$/);
        const again = await startServer({ db: srv.dbInfo });
        try {
          const ok = await request(again.url, 'POST', '/api/v1/session',
            { body: { username: 'admin', password: srv.adminPassword } });
          assert.equal(ok.status, 200, ok.text);
        } finally {
          await again.stop();
        }
      }
      if (rows0 !== null) {
        const rows1 = await auditRows(srv.dbInfo);
        assert.ok(rows1 - rows0 >= n401,
          `${n401} failed logins were answered but only ${rows1 - rows0} audit rows were written`);
      }
    } finally {
      await srv.kill();
    }
  });

  // Proves: SIGINT (Ctrl-C) is a clean stop too.
  it('SIGINT exits 0', async () => {
    const srv = await startServer();
    assert.equal((await request(srv.url, 'GET', '/healthz')).status, 200);
    await srv.stop({ signal: 'SIGINT' });
  });
});
