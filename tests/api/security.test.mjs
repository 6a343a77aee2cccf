// Findings of the security review (issue 8, item 7) for accounts and the
// HTTP layer, each shown on the real binary: parallel guessing locks, unknown
// and disabled names answer like wrong passwords, sign-in takes only JSON
// from our own origin, a password change needs the current password, weak
// passwords are refused, and staff links only see accounts in scope. For
// HTTP: errors the server would otherwise leave to libmicrohttpd are JSON,
// malformed requests are refused, text input is UTF-8, the audit trail shows
// every record, and slow clients from one address cannot starve the rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { startServer, request, assertError, sql, BACKEND } from './harness.mjs';

let srv, admin;
const PW = 'correct horse';

async function api(method, path, { token, body, headers = {} } = {}) {
  return request(srv.url, method, path, {
    body, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}
const login = (username, password, headers = {}) => api('POST', '/api/v1/session', { body: { username, password }, headers });

async function addUser(username, { role = 'grid_worker', scope = '000000', password = PW } = {}) {
  const r = await api('POST', '/api/v1/users', { token: admin, body: { username, role, scope, password } });
  assert.equal(r.status, 201, r.text);
}

before(async () => {
  // Sixteen workers, so that sixteen sign-ins really run at once. The clock
  // stands still (CIVGRID_FAKE_NOW), so that a wait between tries cannot run
  // out while a loaded machine verifies passwords: what is compared is the
  // answers, not the machine's speed.
  const now = String(Math.floor(Date.now() / 1000));
  srv = await startServer({ threads: 16, env: { CIVGRID_FAKE_NOW: now } });
  admin = (await login('admin', srv.adminPassword)).json.token;
  for (const u of ['par', 'known', 'ct', 'xs', 'self_change', 'reset_me']) await addUser(u);
});
after(async () => { await srv?.stop(); });

test('sixteen parallel wrong passwords: none is lost from the count, and the name ends locked', async () => {
  const tries = await Promise.all(Array.from({ length: 16 }, (_, i) => login('par', `wrong-guess-${i}`)));
  const verified = tries.filter((t) => t.status === 401).length;
  for (const t of tries) assert.ok(t.status === 401 || t.status === 429, t.text);
  // Each refused guess that reached the password check was counted once.
  assert.equal(Number(await sql(srv.dbInfo, "SELECT failed FROM login_failures WHERE username = 'par'")), verified);
  const r = await login('par', PW); // even the right password must now wait
  await assertError(r, 429, 'account_locked');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
});

test('an unknown name slows down and locks exactly like a known one', async () => {
  const answers = {};
  for (const name of ['known', 'ghost_nobody']) {
    const seq = [];
    for (let i = 0; i < 4; i++) {
      const r = await login(name, `wrong-guess-${i}`);
      seq.push(`${r.status} ${r.json.error} ${r.json.message}`);
    }
    answers[name] = seq;
  }
  assert.deepEqual(answers.ghost_nobody, answers.known);
  assert.match(answers.known[3], /^429 account_locked/);
});

test('sign-in takes only a JSON body', async () => {
  const body = JSON.stringify({ username: 'ct', password: PW });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const r = await api('POST', '/api/v1/session', { body, headers: { 'content-type': type } });
    await assertError(r, 415, 'unsupported_media_type');
  }
  const ok = await api('POST', '/api/v1/session', { body, headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(ok.status, 200, ok.text);
});

test('sign-in from a page of another site is refused; from our own page it works', async () => {
  await assertError(await login('xs', PW, { origin: 'http://evil.example' }), 403, 'csrf_failed');
  await assertError(await login('xs', PW, { 'sec-fetch-site': 'cross-site' }), 403, 'csrf_failed');
  await assertError(await login('xs', PW, { 'sec-fetch-site': 'same-site' }), 403, 'csrf_failed');
  const own = await login('xs', PW, { origin: srv.url, 'sec-fetch-site': 'same-origin' });
  assert.equal(own.status, 200, own.text);
});

test('changing one\'s own password needs the current one; an admin reset does not', async () => {
  const t = (await login('self_change', PW)).json.token;
  const change = (body) => api('PATCH', '/api/v1/users/self_change', { token: t, body });
  await assertError(await change({ password: 'a-new-secret-42' }), 400, 'missing_field', { field: 'current_password' });
  await assertError(await change({ password: 'a-new-secret-42', current_password: 'not-it-at-all' }), 401, 'invalid_credentials', { field: 'current_password' });
  assert.equal((await login('self_change', PW)).status, 200, 'the password is unchanged');
  const ok = await change({ password: 'a-new-secret-42', current_password: PW });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await login('self_change', 'a-new-secret-42')).status, 200);
  // Guessing the current password with the session counts like failed sign-ins.
  for (let i = 0; i < 3; i++) {
    await assertError(await change({ password: 'another-secret-43', current_password: `guess-${i}-xyz` }), 401, 'invalid_credentials');
  }
  await assertError(await change({ password: 'another-secret-43', current_password: 'a-new-secret-42' }), 429, 'account_locked');
  const reset = await api('PATCH', '/api/v1/users/reset_me', { token: admin, body: { password: 'reset-by-admin-7' } });
  assert.equal(reset.status, 200, reset.text);
});

test('common, trivial and username-derived passwords are refused with the reason', async () => {
  const weak = ['12345678', 'password', '        ', 'Passw0rd', 'weakling1', 'éééé', 'qwertyuiop', 'abcdefgh'];
  for (const password of weak) {
    const r = await api('POST', '/api/v1/users', { token: admin, body: { username: 'weakling', role: 'grid_worker', scope: '000000', password } });
    await assertError(r, 400, 'weak_password', { field: 'password' });
    assert.match(r.json.message, /characters|simple|common|username/);
  }
  const t = (await login('reset_me', 'reset-by-admin-7')).json.token;
  const r = await api('PATCH', '/api/v1/users/reset_me', { token: t, body: { password: 'reset_me1', current_password: 'reset-by-admin-7' } });
  await assertError(r, 400, 'weak_password', { field: 'password' });
});

test('a county admin cannot link an account outside its scope, nor learn that it exists', async () => {
  for (const a of [{ code: 'sc1', level: 'county', name: '甲县' }, { code: 'sc2', level: 'county', name: '乙县' }]) {
    assert.equal((await api('POST', '/api/v1/areas', { token: admin, body: a })).status, 201);
  }
  await addUser('county_admin', { role: 'admin', scope: 'sc1' });
  await addUser('city_worker', { role: 'grid_worker', scope: '000000' });
  await addUser('other_county', { role: 'grid_worker', scope: 'sc2' });
  await addUser('own_worker', { role: 'grid_worker', scope: 'sc1' });
  const t = (await login('county_admin', PW)).json.token;
  const link = (username) => api('POST', '/api/v1/staff', { token: t, body: { area_code: 'sc1', position: 'grid_worker', name: '张三', username } });
  const missing = await link('no_such_account');
  await assertError(missing, 400, 'invalid_field', { field: 'username' });
  for (const outside of ['city_worker', 'other_county']) {
    const r = await link(outside);
    await assertError(r, 400, 'invalid_field', { field: 'username' });
    assert.equal(r.json.message.replace(outside, 'X'), missing.json.message.replace('no_such_account', 'X'));
  }
  const ok = await link('own_worker');
  assert.equal(ok.status, 201, ok.text);
  const linked = await sql(srv.dbInfo, "SELECT COUNT(*) FROM staff_assignments s JOIN users u ON u.id = s.user_id WHERE u.username IN ('city_worker', 'other_county')");
  assert.equal(linked, '0');
});

/** Sends raw bytes on one connection: {status, headers, body, closed}. */
function raw(port, bytes, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer in 10 s')); }, 10000);
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const text = data.toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers = {};
      for (const l of lines.slice(1)) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    sock.write(bytes);
  });
}

async function assertRawError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res));
  assert.match(res.headers['content-type'] || '', /^application\/json/, `error must be JSON: ${res.body.slice(0, 200)}`);
  const body = JSON.parse(res.body);
  assert.equal(body.error, code);
  assert.equal(typeof body.message, 'string');
}

test('every response carries Referrer-Policy', async () => {
  for (const p of ['/healthz', '/api/v1/version', '/api/v1/no-such-thing', '/api/v1/me']) {
    const r = await api('GET', p);
    assert.match(r.headers.get('referrer-policy') || '', /^(no-referrer|same-origin)$/, `${p}: ${r.status}`);
  }
});

test('a NUL in the path and a bare CR in a header are refused as JSON 400', async () => {
  await assertRawError(await raw(srv.port, 'GET /api/v1/version%00.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'), 400, 'invalid_argument');
  await assertRawError(await raw(srv.port, 'GET /healthz%00 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'), 400, 'invalid_argument');
  await assertRawError(await raw(srv.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-Evil: a\rSet-Cookie: b\r\nConnection: close\r\n\r\n'), 400, 'invalid_argument');
});

test('a request line or header block over --max-header is a JSON 414 or 431', async () => {
  const long = await raw(srv.port, `GET /healthz?pad=${'a'.repeat(70 * 1024)} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  await assertRawError(long, 414, 'uri_too_long');
  const big = await raw(srv.port, `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: ${'a'.repeat(70 * 1024)}\r\nConnection: close\r\n\r\n`);
  await assertRawError(big, 431, 'headers_too_large');
  assert.equal((await api('GET', '/healthz')).status, 200);
});

test('query and path text that is not UTF-8 is refused, naming the parameter', async () => {
  const r = await api('GET', '/api/v1/users?q=%E4', { token: admin });
  await assertError(r, 400, 'invalid_field', { field: 'q' });
  await assertError(await api('GET', '/api/v1/audit?actor=%FF%FE', { token: admin }), 400, 'invalid_field', { field: 'actor' });
  await assertError(await api('GET', '/api/v1/users?q=a%00b', { token: admin }), 400, 'invalid_field', { field: 'q' });
  await assertError(await api('GET', '/api/v1/users/%E4%B8', { token: admin }), 400, 'invalid_argument');
  // Valid UTF-8 (Chinese) passes.
  assert.equal((await api('GET', '/api/v1/users?q=%E5%BC%A0', { token: admin })).status, 200);
});

test('the audit list shows a record with bytes that are not UTF-8, never drops it', { skip: BACKEND !== 'sqlite' && 'PostgreSQL cannot store text that is not UTF-8' }, async () => {
  await sql(srv.dbInfo, "INSERT INTO audit (at, actor, action, outcome, detail) VALUES (1, 'old', 'user.list', 'ok', CAST(X'71E47A' AS TEXT))");
  const r = await api('GET', '/api/v1/audit?actor=old', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1, r.text);
  assert.equal(r.json.items[0].detail, 'q\uFFFDz');
});

test('slow clients over the per-address limit do not starve another client', async () => {
  const slow = await startServer({ args: ['--max-connections', '40', '--max-connections-per-ip', '8', '--header-timeout', '30'] });
  const socks = [];
  try {
    // More slow connections than the server takes in all, from 127.0.0.1:
    // each sends half a request head and then nothing.
    for (let i = 0; i < 60; i++) {
      const s = net.connect({ port: slow.port, host: '127.0.0.1', localAddress: '127.0.0.1' });
      s.on('error', () => {});
      s.write('GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ');
      socks.push(s);
    }
    await new Promise((r) => setTimeout(r, 500));
    // A client from another address (still 127.0.0.1 as the destination).
    const t0 = Date.now();
    const status = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: slow.port, path: '/healthz', localAddress: '127.0.0.2', timeout: 5000 }, (res) => { res.resume(); resolve(res.statusCode); });
      req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.ok(Date.now() - t0 < 3000, `served after ${Date.now() - t0} ms`);
  } finally {
    for (const s of socks) s.destroy();
    await slow.stop();
  }
});

test('a connection that stays silent before its request head is complete is closed after --header-timeout', async () => {
  const quick = await startServer({ args: ['--header-timeout', '1', '--timeout', '30'] });
  try {
    const t0 = Date.now();
    const closed = await new Promise((resolve) => {
      const s = net.connect({ port: quick.port, host: '127.0.0.1' });
      s.on('error', () => {});
      s.on('close', () => resolve(Date.now() - t0));
      s.write('GET /healthz HTTP/1.1\r\nHost: t\r\n');
      setTimeout(() => { s.destroy(); resolve(null); }, 8000);
    });
    assert.ok(closed !== null && closed < 5000, `closed after ${closed} ms`);
  } finally {
    await quick.stop();
  }
});
