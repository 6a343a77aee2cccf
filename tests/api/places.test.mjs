// Places (venues and risk points) through the real binary, on the backend the
// harness names: registering them with every field checked, listing by kind,
// type, area and text, scope (a grid worker sees only its grid's places and
// reads another grid's as absent), retiring, and the audit trail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertError, BACKEND } from './harness.mjs';

const PW = 'places-test-pw';
let srv, admin, worker;

async function api(method, path, token, body) {
  return request(srv.url, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function login(username, password) {
  const r = await api('POST', '/api/v1/session', null, { username, password });
  assert.equal(r.status, 200, `login ${username}: ${r.text}`);
  return r.json.token;
}

const PLACES = [
  { code: 'v-super', name: '佳家玛南环店', kind: 'venue', type: 'supermarket', area_code: 'pg1', address: '南环路18号' },
  { code: 'v-pharm', name: '康尔福大药房向阳街门店', kind: 'venue', type: 'pharmacy', area_code: 'pg1' },
  { code: 'r-river', name: '南洋河阳高段', kind: 'risk_point', type: 'river', area_code: 'pg2' },
  { code: 'r-gully', name: '黑水沟', kind: 'risk_point', type: 'gully', area_code: 'pg1' },
  { code: 'v-far', name: '外县超市', kind: 'venue', type: 'supermarket', area_code: 'pg3' },
];

before(async () => {
  srv = await startServer();
  admin = await login('admin', srv.adminPassword);
  for (const a of [
    { code: 'pc1', level: 'county', name: '阳高县' },
    { code: 'pt1', parent_code: 'pc1', level: 'town', name: '龙泉镇' },
    { code: 'pg1', parent_code: 'pt1', level: 'grid', name: '第一网格' },
    { code: 'pg2', parent_code: 'pt1', level: 'grid', name: '第二网格' },
    { code: 'pc2', level: 'county', name: '天镇县' },
    { code: 'pg3', parent_code: 'pc2', level: 'grid', name: '外县网格' },
  ]) {
    const r = await api('POST', '/api/v1/areas', admin, a);
    assert.equal(r.status, 201, r.text);
  }
  for (const p of PLACES) {
    const r = await api('POST', '/api/v1/places', admin, p);
    assert.equal(r.status, 201, r.text);
  }
  const r = await api('POST', '/api/v1/users', admin, { username: 'pw1', role: 'grid_worker', scope: 'pg1', password: PW });
  assert.equal(r.status, 201, r.text);
  worker = await login('pw1', PW);
});

after(async () => { await srv?.stop(); });

const codes = (r) => r.json.items.map((p) => p.code).sort();

test(`a created place comes back with its area and type (${BACKEND})`, async () => {
  const r = await api('GET', '/api/v1/places/v-super', admin);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, '佳家玛南环店');
  assert.equal(r.json.kind, 'venue');
  assert.equal(r.json.type, 'supermarket');
  assert.equal(r.json.type_zh, '超市');
  assert.equal(r.json.address, '南环路18号');
  assert.equal(r.json.status, 'active');
  assert.deepEqual(r.json.area, { code: 'pg1', name: '第一网格', level: 'grid' });
  assert.equal(typeof r.json.created_at, 'number');
});

test('a place without a code gets a readable random one', async () => {
  const r = await api('POST', '/api/v1/places', admin, { name: '南三路小区广场采样点', kind: 'venue', type: 'sampling_point', area_code: 'pg2' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.code, /^P[2-9A-HJ-NP-Z]{9}$/);
  const again = await api('GET', `/api/v1/places/${r.json.code}`, admin);
  assert.equal(again.json.name, '南三路小区广场采样点');
});

test('list by kind, type, area and text', async () => {
  assert.deepEqual(codes(await api('GET', '/api/v1/places?kind=risk_point', admin)), ['r-gully', 'r-river']);
  assert.deepEqual(codes(await api('GET', '/api/v1/places?type=supermarket', admin)), ['v-far', 'v-super']);
  assert.deepEqual(codes(await api('GET', '/api/v1/places?kind=venue&area_code=pg1', admin)), ['v-pharm', 'v-super']);
  assert.deepEqual(codes(await api('GET', '/api/v1/places?area_code=pc2', admin)), ['v-far']);
  assert.deepEqual(codes(await api('GET', `/api/v1/places?q=${encodeURIComponent('向阳街')}`, admin)), ['v-pharm']);
  assert.deepEqual(codes(await api('GET', `/api/v1/places?q=${encodeURIComponent('南环路')}`, admin)), ['v-super'], 'q searches addresses');
  // A LIKE wildcard in q is a literal character, not "anything".
  assert.deepEqual(codes(await api('GET', '/api/v1/places?q=_', admin)), []);
  const page = await api('GET', '/api/v1/places?limit=2&offset=1', admin);
  assert.equal(page.status, 200, page.text);
  assert.equal(page.json.items.length, 2);
  assert.ok(page.json.total >= 6, `total counts every match: ${page.text}`);
});

test('bad input is refused naming the field', async () => {
  const base = { name: '某店', kind: 'venue', type: 'shop', area_code: 'pg1' };
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, type: 'casino' }), 400, 'invalid_field', { field: 'type' });
  // A risk point type is not a venue type.
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, type: 'river' }), 400, 'invalid_field', { field: 'type' });
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, kind: 'shopfront' }), 400, 'invalid_field', { field: 'kind' });
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, name: undefined }), 400, 'missing_field', { field: 'name' });
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, name: 'a\u0001b' }), 400, 'invalid_field', { field: 'name' });
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, code: 'has space' }), 400, 'invalid_field', { field: 'code' });
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, area_code: 'nowhere' }), 404, 'not_found', { field: 'area_code' });
  await assertError(await api('POST', '/api/v1/places', admin, { ...base, code: 'v-super' }), 409, 'already_exists', { field: 'code' });
  await assertError(await api('GET', '/api/v1/places?type=casino', admin), 400, 'invalid_field', { field: 'type' });
  await assertError(await api('GET', '/api/v1/places?kind=x', admin), 400, 'invalid_field', { field: 'kind' });
  await assertError(await api('PATCH', '/api/v1/places/v-pharm', admin, { status: 'closed' }), 400, 'invalid_field', { field: 'status' });
  const still = await api('GET', '/api/v1/places/v-pharm', admin);
  assert.equal(still.json.status, 'active', 'a refused change changes nothing');
});

test('a grid worker sees only its own grid\'s places', async () => {
  const r = await api('GET', '/api/v1/places', worker);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(codes(r), ['r-gully', 'v-pharm', 'v-super']);
  assert.equal(r.json.total, 3);
  assert.ok(!r.text.includes('南洋河') && !r.text.includes('外县'), `leaked another grid's place: ${r.text}`);
  const other = await api('GET', '/api/v1/places/r-river', worker);
  const missing = await api('GET', '/api/v1/places/no-such-place', worker);
  await assertError(other, 404, 'not_found');
  assert.equal(other.json.message, missing.json.message, 'out of scope reads exactly like absent');
  await assertError(await api('GET', '/api/v1/places?area_code=pg2', worker), 404, 'not_found');
  // Reading is allowed; registering and retiring are not.
  await assertError(await api('POST', '/api/v1/places', worker, { name: '店', kind: 'venue', type: 'shop', area_code: 'pg1' }), 403, 'forbidden');
  await assertError(await api('PATCH', '/api/v1/places/v-super', worker, { status: 'retired' }), 403, 'forbidden');
});

test('retire and reactivate; lists show active places unless asked', async () => {
  const r = await api('PATCH', '/api/v1/places/r-gully', admin, { status: 'retired' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'retired');
  assert.deepEqual(codes(await api('GET', '/api/v1/places?kind=risk_point', admin)), ['r-river']);
  assert.deepEqual(codes(await api('GET', '/api/v1/places?kind=risk_point&status=retired', admin)), ['r-gully']);
  assert.deepEqual(codes(await api('GET', '/api/v1/places?kind=risk_point&status=all', admin)), ['r-gully', 'r-river']);
  const back = await api('PATCH', '/api/v1/places/r-gully', admin, { status: 'active' });
  assert.equal(back.json.status, 'active');
  await assertError(await api('PATCH', '/api/v1/places/no-such-place', admin, { status: 'retired' }), 404, 'not_found');
});

test('writes and refusals are in the audit trail', async () => {
  const r = await api('GET', '/api/v1/audit?action=place.&limit=1000', admin);
  assert.equal(r.status, 200, r.text);
  const seen = r.json.items.map((e) => `${e.action} ${e.object_id} ${e.outcome} ${e.actor}`);
  assert.ok(seen.includes('place.create v-super ok admin'), seen.join('\n'));
  assert.ok(seen.includes('place.retire r-gully ok admin'), seen.join('\n'));
  assert.ok(seen.includes('place.activate r-gully ok admin'), seen.join('\n'));
  assert.ok(seen.includes('place.create v-super already_exists admin'), seen.join('\n'));
  assert.ok(seen.some((s) => s.startsWith('place.create') && s.endsWith('forbidden pw1')), seen.join('\n'));
  assert.ok(seen.includes('place.retire v-super forbidden pw1'), seen.join('\n'));
});
