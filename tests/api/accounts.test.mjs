// Accounts and sessions through the real binary: every bad input issue 3
// names gets its own clear answer, sessions end when they should, login
// slows down and locks, CSRF is enforced for the cookie, and all of it is
// audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, makeDb, request, assertError, civgrid, cleanEnv, sql } from './harness.mjs';

let srv, admin;
const PW = 'correct horse';

async function api(method, path, { token, body, headers = {} } = {}) {
  return request(srv.url, method, path, {
    body, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

async function login(username, password) {
  return api('POST', '/api/v1/session', { body: { username, password } });
}

before(async () => {
  // A standing clock: the wait after failed sign-ins must not run out while a
  // loaded machine verifies the next password (the tests compare answers).
  srv = await startServer({ env: { CIVGRID_FAKE_NOW: String(Math.floor(Date.now() / 1000)) } });
  admin = (await login('admin', srv.adminPassword)).json.token;
  for (const u of ['alice', 'bob', 'carol', 'dave']) {
    const r = await api('POST', '/api/v1/users', { token: admin, body: { username: u, role: 'grid_worker', scope: '000000', password: PW } });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => { await srv?.stop(); });

test('the right password signs in; the answer carries token, csrf token and the user', async () => {
  const r = await login('alice', PW);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.token, /^cg1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{40,}$/);
  assert.match(r.json.csrf_token, /^[0-9a-f]{64}$/);
  assert.equal(r.json.user.username, 'alice');
  assert.equal(r.json.user.role, 'grid_worker');
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /civgrid_session=/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const me = await api('GET', '/api/v1/me', { token: r.json.token });
  assert.equal(me.json.user.username, 'alice');
});

test('wrong password and unknown user get the same answer', async () => {
  const wrong = await login('bob', 'not the password');
  const unknown = await login('nobody_here', 'not the password');
  await assertError(wrong, 401, 'invalid_credentials');
  await assertError(unknown, 401, 'invalid_credentials');
  assert.equal(wrong.json.message, unknown.json.message);
});

test('empty, over-long and malformed credentials are refused with the field named', async () => {
  await assertError(await login('bob', ''), 400, 'invalid_field', { field: 'password' });
  await assertError(await login('bob\u0001x', PW), 400, 'invalid_field', { field: 'username' });
  await assertError(await login('bob\nx', PW), 400, 'invalid_field', { field: 'username' });
  await assertError(await login('bob', 'x'.repeat(2000)), 400, 'invalid_field', { field: 'password' });
  await assertError(await api('POST', '/api/v1/session', { body: { username: 'bob' } }), 400, 'missing_field', { field: 'password' });
  // A 10 MB password is stopped by the body limit before anything reads it.
  const huge = await api('POST', '/api/v1/session', { body: JSON.stringify({ username: 'bob', password: 'x'.repeat(10 << 20) }) });
  await assertError(huge, 413, 'too_large');
});

test('a disabled user cannot sign in, and its sessions end', async () => {
  const t = (await login('carol', PW)).json.token;
  const d = await api('PATCH', '/api/v1/users/carol', { token: admin, body: { status: 'disabled' } });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.status, 'disabled');
  // Answered like a wrong password; the audit record keeps the real reason.
  await assertError(await login('carol', PW), 401, 'invalid_credentials');
  const why = await sql(srv.dbInfo, "SELECT outcome FROM audit WHERE action = 'session.create' AND object_id = 'carol' ORDER BY id DESC LIMIT 1");
  assert.equal(why, 'account_disabled');
  await assertError(await api('GET', '/api/v1/me', { token: t }), 401, 'session_expired');
  // Undo: enabling lets carol back in.
  assert.equal((await api('PATCH', '/api/v1/users/carol', { token: admin, body: { status: 'active' } })).status, 200);
  assert.equal((await login('carol', PW)).status, 200);
});

test('a disabled account is revealed to nobody, not even with the right password', async () => {
  await api('PATCH', '/api/v1/users/carol', { token: admin, body: { status: 'disabled' } });
  const wrong = await login('carol', 'guessing');
  const right = await login('carol', PW);
  await assertError(wrong, 401, 'invalid_credentials');
  await assertError(right, 401, 'invalid_credentials');
  assert.equal(right.json.message, wrong.json.message);
  await api('PATCH', '/api/v1/users/carol', { token: admin, body: { status: 'active' } });
});

test('a revoked token is refused after sign-out', async () => {
  const t = (await login('alice', PW)).json.token;
  const out = await api('DELETE', '/api/v1/session', { token: t });
  assert.equal(out.status, 204);
  await assertError(await api('GET', '/api/v1/me', { token: t }), 401, 'session_expired');
});

test('malformed tokens and tokens of another deployment are refused', async () => {
  await assertError(await api('GET', '/api/v1/me', { token: 'garbage' }), 401, 'unauthenticated');
  const other = await startServer();
  try {
    const foreign = (await request(other.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: other.adminPassword } })).json.token;
    const r = await api('GET', '/api/v1/me', { token: foreign });
    await assertError(r, 401, 'unauthenticated');
    assert.match(r.json.message, /another civgrid deployment/);
  } finally {
    await other.stop();
  }
});

test('an expired token is refused', async () => {
  const db = await makeDb();
  const s1 = await startServer({ db, args: ['--session-ttl', '60'] });
  const t = (await request(s1.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: db.adminPassword } })).json.token;
  await s1.stop();
  // The same database an hour later.
  const later = String(Math.floor(Date.now() / 1000) + 3600);
  const s2 = await startServer({ db, env: { CIVGRID_FAKE_NOW: later } });
  try {
    const r = await request(s2.url, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${t}` } });
    await assertError(r, 401, 'session_expired');
    assert.match(r.json.message, /expired/);
  } finally {
    await s2.stop();
    await db.drop();
  }
});

test('repeated failures slow down, then lock the account; all of it audited', async () => {
  for (let i = 0; i < 3; i++) await assertError(await login('dave', 'wrong'), 401, 'invalid_credentials');
  const slowed = await login('dave', PW); // even the right password must wait
  await assertError(slowed, 429, 'account_locked');
  assert.ok(Number(slowed.headers.get('retry-after')) >= 1, 'Retry-After must say how long');
  const rows = await sql(srv.dbInfo, "SELECT outcome FROM audit WHERE action = 'session.create' AND object_id = 'dave' ORDER BY id");
  assert.deepEqual(rows.split('\n'), ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'account_locked']);
  // Ten failures lock for 15 minutes; the admin's enable clears it (the undo).
  await sql(srv.dbInfo, "UPDATE login_failures SET failed = 9, locked_until = 0 WHERE username = 'dave'");
  await assertError(await login('dave', 'wrong'), 401, 'invalid_credentials');
  const locked = await login('dave', PW);
  await assertError(locked, 429, 'account_locked');
  assert.ok(Number(locked.headers.get('retry-after')) > 800);
  assert.equal((await api('PATCH', '/api/v1/users/dave', { token: admin, body: { status: 'active' } })).status, 200);
  assert.equal((await login('dave', PW)).status, 200);
});

test('creating users: unknown role, unknown scope, bad names and passwords are named', async () => {
  const add = (body) => api('POST', '/api/v1/users', { token: admin, body: { username: 'eve', role: 'grid_worker', scope: '000000', password: PW, ...body } });
  await assertError(await add({ role: 'king' }), 400, 'invalid_field', { field: 'role' });
  await assertError(await add({ scope: 'no-such-area' }), 400, 'invalid_field', { field: 'scope' });
  await assertError(await add({ username: 'e\u0007ve' }), 400, 'invalid_field', { field: 'username' });
  await assertError(await add({ username: 'e ve' }), 400, 'invalid_field', { field: 'username' });
  await assertError(await add({ password: '' }), 400, 'invalid_field', { field: 'password' });
  await assertError(await add({ password: 'short' }), 400, 'weak_password', { field: 'password' });
  await assertError(await add({ role: 7 }), 400, 'invalid_field', { field: 'role' });
  await assertError(await add({ username: 'alice' }), 409, 'already_exists', { field: 'username' });
  const n = await sql(srv.dbInfo, "SELECT COUNT(*) FROM users WHERE username LIKE 'e%'");
  assert.equal(n, '0', 'no refused user was written');
});

test('the cookie needs the CSRF header for changes; GETs do not', async () => {
  const r = await login('alice', PW);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const me = await api('GET', '/api/v1/me', { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.json.csrf_token, r.json.csrf_token);
  await assertError(await api('DELETE', '/api/v1/session', { headers: { cookie } }), 403, 'csrf_failed');
  await assertError(await api('DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': 'f'.repeat(64) } }), 403, 'csrf_failed');
  const ok = await api('DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': r.json.csrf_token } });
  assert.equal(ok.status, 204);
  assert.match(ok.headers.get('set-cookie'), /Max-Age=0/);
});

test('the audit trail is for admin and centre, filterable, and records who and from where', async () => {
  const r = await api('GET', '/api/v1/audit?action=user.&limit=5', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length > 0 && r.json.items.length <= 5);
  for (const e of r.json.items) {
    assert.ok(e.action.startsWith('user.'));
    assert.equal(e.client_ip, '127.0.0.1');
  }
  const worker = (await login('alice', PW)).json.token;
  await assertError(await api('GET', '/api/v1/audit', { token: worker }), 403, 'forbidden');
  await assertError(await api('GET', '/api/v1/audit?since=yesterday', { token: admin }), 400, 'invalid_field', { field: 'since' });
});

test('the CLI manages users, reads passwords from stdin and reports bad input', async () => {
  const env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  let r = await civgrid(['user', 'add', 'frank', '--role', 'cdc', '--scope', '000000', '--password-stdin'], { env, input: 'frank-password\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await login('frank', 'frank-password')).status, 200);
  r = await civgrid(['user', 'add', 'gina', '--role', 'wizard', '--scope', '000000', '--password-stdin'], { env, input: 'gina-password\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown role 'wizard'/);
  r = await civgrid(['user', 'add', 'gina', '--role', 'cdc', '--scope', 'nowhere', '--password-stdin'], { env, input: 'gina-password\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no area with code 'nowhere'/);
  r = await civgrid(['user', 'add', 'gina', '--role', 'cdc', '--scope', '000000', '--password-stdin'], { env, input: 'x'.repeat(10 << 20) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /longer than 1024 bytes/);
  r = await civgrid(['user', 'add', 'gina', '--role', 'cdc', '--scope', '000000', '--password-stdin'], { env, input: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no password/);
  r = await civgrid(['user', 'disable', 'frank'], { env });
  assert.equal(r.code, 0, r.stderr);
  await assertError(await login('frank', 'frank-password'), 401, 'invalid_credentials');
  r = await civgrid(['user', 'list'], { env });
  assert.match(r.stdout, /frank\s+cdc\s+disabled/);
  r = await civgrid(['audit', '--actor', 'admin', '--action', 'user.create', '--limit', '2'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /user\.create/);
});
