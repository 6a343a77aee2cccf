// Error handling of the HTTP API: every failure answers with the one error
// shape {"error":"snake_case_code","message":"..."} and the right status, and
// the limits (body size, header size, a busy database) hold.
// Runs on the backend named by CIVGRID_TEST_BACKEND (the busy test: SQLite only).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { startServer, request, assertError, BACKEND } from './harness.mjs';

const MAX_BODY = 1024;

describe(`HTTP errors (${BACKEND})`, () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--max-body', String(MAX_BODY)] }); });
  after(async () => { await srv?.stop(); });

  // Proves: an unknown path is a JSON 404 "not_found", not an empty or HTML page.
  it('unknown path -> 404 not_found', async () => {
    await assertError(await request(srv.url, 'GET', '/api/v1/no-such-thing'), 404, 'not_found');
    await assertError(await request(srv.url, 'GET', '/nowhere'), 404, 'not_found');
  });

  // Proves: a known path with the wrong method is 405 (not 404) and the Allow
  // header names the methods the path does take.
  it('wrong method on a known path -> 405 method_not_allowed with Allow', async () => {
    let r = await request(srv.url, 'DELETE', '/healthz');
    await assertError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow') || '', /\bGET\b/, 'Allow must list GET for /healthz');

    r = await request(srv.url, 'PUT', '/api/v1/session', { body: {} });
    await assertError(r, 405, 'method_not_allowed');
    assert.match(r.headers.get('allow') || '', /\bPOST\b/, 'Allow must list POST for /api/v1/session');
  });

  // Proves: a body that is not JSON is rejected as such before anything else.
  it('malformed JSON -> 400 malformed_json', async () => {
    await assertError(await request(srv.url, 'POST', '/api/v1/session', { body: '{"username":' }),
      400, 'malformed_json');
    await assertError(await request(srv.url, 'POST', '/api/v1/session', { body: 'not json' }),
      400, 'malformed_json');
  });

  // Proves: a field of the wrong type is named in "field" and in the message.
  it('wrong field type -> 400 invalid_field naming the field', async () => {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 5, password: 'x' } });
    await assertError(r, 400, 'invalid_field', { field: 'username' });
  });

  // Proves: a missing required field is reported as missing, and which one.
  it('missing field -> 400 missing_field', async () => {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { password: 'x' } });
    await assertError(r, 400, 'missing_field', { field: 'username' });
  });

  // Proves: --max-body is the limit: a body over it is 413 too_large, while a
  // valid body just under it is processed (401 for a wrong password, not 413).
  it('body over --max-body -> 413 too_large', async () => {
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(MAX_BODY * 4) });
    await assertError(await request(srv.url, 'POST', '/api/v1/session', { body: big }), 413, 'too_large');

    const pad = 'y'.repeat(MAX_BODY - 100);
    const under = JSON.stringify({ username: 'admin', password: pad });
    assert.ok(Buffer.byteLength(under) < MAX_BODY);
    await assertError(await request(srv.url, 'POST', '/api/v1/session', { body: under }), 401, 'invalid_credentials');
  });

  // Proves: the login endpoint tells right from wrong credentials.
  it('session: wrong password -> 401 invalid_credentials, right one -> token', async () => {
    await assertError(await request(srv.url, 'POST', '/api/v1/session',
      { body: { username: 'admin', password: 'wrong-' + srv.adminPassword } }), 401, 'invalid_credentials');
    await assertError(await request(srv.url, 'POST', '/api/v1/session',
      { body: { username: 'nobody', password: srv.adminPassword } }), 401, 'invalid_credentials');
    const ok = await request(srv.url, 'POST', '/api/v1/session',
      { body: { username: 'admin', password: srv.adminPassword } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(typeof ok.json?.token, 'string', ok.text);
    assert.ok(ok.json.token.length >= 16, 'token looks too short to be random');
  });

  // Proves: headers over 64 KiB are refused with a 4xx and the connection is
  // closed, while a large but allowed header block (16 KiB) is served.
  it('headers over 64 KiB -> 431/413 and connection closed', async () => {
    const small = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: ' +
      'a'.repeat(16 * 1024) + '\r\nConnection: close\r\n\r\n');
    assert.match(small.statusLine, /^HTTP\/1\.1 200/, `16 KiB of headers must be served: ${small.statusLine}`);

    const big = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: ' +
      'a'.repeat(70 * 1024) + '\r\n\r\n');
    assert.match(big.statusLine, /^HTTP\/1\.[01] (431|413)\b/, `got: ${JSON.stringify(big.statusLine)}`);
    assert.ok(big.closed, 'the server must close the connection after refusing oversized headers');
  });

  // Proves: the server is still healthy after all the errors above.
  it('still healthy after the errors', async () => {
    const r = await request(srv.url, 'GET', '/healthz');
    assert.equal(r.status, 200);
  });
});

describe('database busy (sqlite)', { skip: BACKEND !== 'sqlite' && 'SQLite only' }, () => {
  // Proves: when another process holds the write lock longer than
  // --busy-timeout-ms, a write answers 503 database_busy with Retry-After
  // after waiting about that long, and the next request works once the lock goes.
  it('write lock held elsewhere -> 503 database_busy, then recovers', async () => {
    const srv = await startServer({ args: ['--busy-timeout-ms', '300'] });
    let locker;
    try {
      locker = await holdWriteLock(srv.db);
      const t0 = Date.now();
      const r = await request(srv.url, 'POST', '/api/v1/session',
        { body: { username: 'admin', password: srv.adminPassword } });
      const waited = Date.now() - t0;
      await assertError(r, 503, 'database_busy');
      assert.match(r.headers.get('retry-after') || '', /^\d+$/, 'Retry-After must be a number of seconds');
      assert.ok(waited >= 250, `answered after ${waited} ms: the busy timeout (300 ms) was not waited for`);
      assert.ok(waited < 10000, `answered only after ${waited} ms`);

      await locker.release();
      locker = null;
      const ok = await request(srv.url, 'POST', '/api/v1/session',
        { body: { username: 'admin', password: srv.adminPassword } });
      assert.equal(ok.status, 200, `after the lock is released: ${ok.status} ${ok.text}`);
    } finally {
      if (locker) await locker.release().catch(() => {});
      await srv.stop();
    }
  });
});

/** Sends raw bytes, reads until the server closes (or 5 s): {statusLine, closed}. */
function rawRequest(port, bytes) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ statusLine: data.split('\r\n')[0], closed, data });
    };
    const timer = setTimeout(() => finish(false), 5000);
    sock.setEncoding('latin1');
    sock.on('data', (d) => { data += d; });
    // The server may stop reading and close while we are still writing: a reset
    // then is still a close; what matters is the status line it sent.
    sock.on('error', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('connect', () => sock.write(bytes));
  });
}

/** Starts `sqlite3 DB` holding BEGIN EXCLUSIVE; resolves once the lock is held. */
function holdWriteLock(db) {
  return new Promise((resolve, reject) => {
    const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`sqlite3 did not take the lock: ${err}`)); }, 10000);
    p.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    p.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('locked')) {
        clearTimeout(timer);
        resolve({
          release: () => new Promise((res) => {
            p.on('close', () => res());
            p.stdin.end('ROLLBACK;\n.quit\n');
          }),
        });
      }
    });
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    // BEGIN EXCLUSIVE takes the write lock at once (in WAL mode too); the
    // SELECT only tells us that it has.
    p.stdin.write(".timeout 5000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  });
}
