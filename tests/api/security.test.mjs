// Findings of the security review (issue 8, item 7) for accounts and the
// HTTP layer, each shown on the real binary: parallel guessing locks, unknown
// and disabled names answer like wrong passwords, sign-in takes only JSON
// from our own origin, a password change needs the current password, weak
// passwords are refused, and staff links only see accounts in scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertError, sql } from './harness.mjs';

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
  // Sixteen workers, so that sixteen sign-ins really run at once.
  srv = await startServer({ threads: 16 });
  admin = (await login('admin', srv.adminPassword)).json.token;
  for (const u of ['par', 'known', 'ct', 'xs', 'self_change', 'reset_me']) await addUser(u);
});
after(async () => { await srv?.stop(); });

test('sixteen parallel wrong passwords all count: the name is locked for 15 minutes', async () => {
  const tries = await Promise.all(Array.from({ length: 16 }, (_, i) => login('par', `wrong-guess-${i}`)));
  for (const t of tries) assert.ok(t.status === 401 || t.status === 429, t.text);
  const r = await login('par', PW); // even the right password must now wait
  await assertError(r, 429, 'account_locked');
  assert.ok(Number(r.headers.get('retry-after')) > 800, `locked for the long lock: ${r.headers.get('retry-after')}`);
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
