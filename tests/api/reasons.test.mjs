// Field errors carry a stable reason and its parameters (issue 9, finding 5):
// beside the stable `error` code, the API says why a field was refused
// (`reason`, a word of CG_FIELD_REASONS in include/civgrid/field.h) with the
// refused `value` and the bounds it broke (`min`, `max`), so that a client
// words it in its reader's language. The English `message` stays for scripts.
// One case per module users meet: residents, ledgers, accounts and
// passwords, areas, places, staff, departments, policy, query parameters.
// Runs on both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, idNumber } from './harness.mjs';

let srv, admin;

async function api(method, path, body) {
  return request(srv.url, method, path, { body, headers: { authorization: `Bearer ${admin}` } });
}

/** Asserts the error answer: status, code, field, reason and parameters. */
function assertReason(r, status, code, field, reason, params = {}) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error, code, r.text);
  assert.equal(r.json.field, field, r.text);
  assert.equal(r.json.reason, reason, r.text);
  for (const [k, v] of Object.entries(params)) assert.equal(r.json[k], v, `${k}: ${r.text}`);
  assert.equal(typeof r.json.message, 'string', 'the English message stays for scripts');
  return r.json;
}

const GOOD = idNumber('14022119900307123');
const BAD_CHECK = GOOD.slice(0, 17) + (GOOD[17] === '1' ? '2' : '1');

before(async () => {
  srv = await startServer();
  admin = (await request(srv.url, 'POST', '/api/v1/session',
    { body: { username: 'admin', password: srv.adminPassword } })).json.token;
  for (const [code, parent, level, name] of [['c1', null, 'county', '阳高县'], ['g1', 'c1', 'grid', '第一网格']]) {
    const r = await api('POST', '/api/v1/areas', { code, parent_code: parent ?? undefined, level, name });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => { await srv?.stop(); });

test('residents: a wrong check digit, an impossible birth date, an unknown ledger, a bad phone', async () => {
  const base = { name: '王五', area_code: 'g1' };
  assertReason(await api('POST', '/api/v1/residents', { ...base, id_number: BAD_CHECK }),
    400, 'invalid_field', 'id_number', 'bad_check_digit', { value: BAD_CHECK });
  const feb30 = idNumber('14022119900230123');
  assertReason(await api('POST', '/api/v1/residents', { ...base, id_number: feb30 }),
    400, 'invalid_field', 'id_number', 'bad_birth_date', { value: feb30 });
  assertReason(await api('POST', '/api/v1/residents', { ...base, id_number: '12345' }),
    400, 'invalid_field', 'id_number', 'bad_id_number', { value: '12345' });
  assertReason(await api('POST', '/api/v1/residents', { ...base, id_number: GOOD, tags: '党员X' }),
    400, 'invalid_field', 'tags', 'unknown_ledger', { value: '党员X' });
  assertReason(await api('POST', '/api/v1/residents', { ...base, id_number: GOOD, phone: '1381234' }),
    400, 'invalid_field', 'phone', 'bad_phone', { value: '1381234' });
  assertReason(await api('POST', '/api/v1/residents', { ...base, area_code: 'c1', id_number: GOOD }),
    400, 'invalid_field', 'area_code', 'not_placeable', { value: 'c1' });
  const made = await api('POST', '/api/v1/residents', { ...base, id_number: GOOD });
  assert.equal(made.status, 201, made.text);
  assertReason(await api('POST', '/api/v1/residents', { ...base, id_number: GOOD }),
    409, 'already_exists', 'id_number', 'registered');
  assertReason(await api('PUT', `/api/v1/residents/${made.json.id}/ledgers/${encodeURIComponent('党员X')}`, {}),
    400, 'invalid_field', 'ledger', 'unknown_ledger', { value: '党员X' });
});

test('accounts: passwords, usernames, roles and scopes', async () => {
  const user = { username: 'zhouxq', display_name: '周', role: 'grid_worker', scope: 'g1' };
  assertReason(await api('POST', '/api/v1/users', { ...user, password: 'abc' }),
    400, 'weak_password', 'password', 'too_short', { min: 8 });
  assertReason(await api('POST', '/api/v1/users', { ...user, password: '12345678' }),
    400, 'weak_password', 'password', 'too_simple');
  assertReason(await api('POST', '/api/v1/users', { ...user, password: 'zhouxq73915' }),
    400, 'weak_password', 'password', 'like_username');
  assertReason(await api('POST', '/api/v1/users', { ...user, username: 'w', password: 'Good-pass-42' }),
    400, 'invalid_field', 'username', 'bad_username', { value: 'w', min: 2, max: 64 });
  assertReason(await api('POST', '/api/v1/users', { ...user, role: 'mayor', password: 'Good-pass-42' }),
    400, 'invalid_field', 'role', 'unknown_role', { value: 'mayor' });
  assertReason(await api('POST', '/api/v1/users', { ...user, scope: 'nowhere', password: 'Good-pass-42' }),
    400, 'invalid_field', 'scope', 'unknown_area', { value: 'nowhere' });
  assert.equal((await api('POST', '/api/v1/users', { ...user, password: 'Good-pass-42' })).status, 201);
  assertReason(await api('POST', '/api/v1/users', { ...user, password: 'Good-pass-42' }),
    409, 'already_exists', 'username', 'taken', { value: 'zhouxq' });
  assertReason(await api('PATCH', '/api/v1/users/admin', { status: 'disabled' }),
    409, 'conflict', 'status', 'own_account');
  assertReason(await api('PATCH', '/api/v1/users/zhouxq', { status: 'sleeping' }),
    400, 'invalid_field', 'status', 'not_allowed', { value: 'sleeping' });
});

test('areas, places, staff and departments', async () => {
  assertReason(await api('POST', '/api/v1/areas', { code: 'a b', parent_code: 'c1', level: 'grid', name: 'x' }),
    400, 'invalid_field', 'code', 'bad_code', { value: 'a b' });
  assertReason(await api('POST', '/api/v1/areas', { code: 'g9', parent_code: 'c1', level: 'village', name: 'x' }),
    400, 'invalid_field', 'level', 'unknown_level', { value: 'village' });
  assertReason(await api('POST', '/api/v1/areas', { code: 'g9', parent_code: 'g1', level: 'county', name: 'x' }),
    400, 'invalid_field', 'level', 'bad_parent', { value: 'grid' });
  assertReason(await api('POST', '/api/v1/areas', { code: 'g1', parent_code: 'c1', level: 'grid', name: 'x' }),
    409, 'already_exists', 'code', 'taken', { value: 'g1' });
  assertReason(await api('POST', '/api/v1/areas', { code: 'g9', parent_code: 'c1', level: 'grid', name: 'x'.repeat(300) }),
    400, 'invalid_field', 'name', 'too_long', { max: 200 });
  assertReason(await api('PATCH', '/api/v1/areas/c1', { parent_code: 'g1' }),
    409, 'conflict', 'parent_code', 'under_itself', { value: 'g1' });
  const busy = assertReason(await api('PATCH', '/api/v1/areas/g1', { status: 'retired' }),
    409, 'conflict', 'status', 'occupied');
  assert.match(busy.value, /^[1-9]\d*$/, 'the number of residents and accounts still there');

  assertReason(await api('POST', '/api/v1/places', { kind: 'venue', type: 'spaceport', name: 'x', area_code: 'g1' }),
    400, 'invalid_field', 'type', 'unknown_type', { value: 'spaceport' });
  assertReason(await api('POST', '/api/v1/places', { kind: 'venue', type: 'supermarket', name: '', area_code: 'g1' }),
    400, 'missing_field', 'name', 'missing');

  assertReason(await api('POST', '/api/v1/staff', { area_code: 'g1', position: 'mayor', name: '李' }),
    400, 'invalid_field', 'position', 'not_allowed', { value: 'mayor' });
  assertReason(await api('POST', '/api/v1/staff', { area_code: 'g1', position: 'grid_worker', name: '李', phone: '12' }),
    400, 'invalid_field', 'phone', 'bad_phone', { value: '12' });

  assertReason(await api('POST', '/api/v1/departments', { code: 'a b', name: '卫健局', domains: 'health' }),
    400, 'invalid_field', 'code', 'bad_code', { value: 'a b' });
});

test('request-level checks: JSON types and query parameters', async () => {
  assertReason(await request(srv.url, 'POST', '/api/v1/session', { body: { username: 5, password: 'x' } }),
    400, 'invalid_field', 'username', 'not_string');
  assertReason(await request(srv.url, 'POST', '/api/v1/session', { body: { password: 'x' } }),
    400, 'missing_field', 'username', 'missing');
  assertReason(await api('GET', '/api/v1/residents?limit=5000'),
    400, 'invalid_field', 'limit', 'out_of_range', { value: '5000', min: 1, max: 1000 });
  assertReason(await api('GET', '/api/v1/residents?format=pdf'),
    400, 'invalid_field', 'format', 'not_allowed', { value: 'pdf' });
});
