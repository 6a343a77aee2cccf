// GET /api/v1/meta lists what the server enforces, nothing more and nothing
// less. Nothing here is compared with a copied list: every listed role is
// assigned, every role's listed permissions are tried on the real endpoints
// (granted ones work, the others are refused), every listed status, type,
// level and position is accepted where it is used and an unlisted one is
// refused. A permission without a probe below fails the test, so a new one
// cannot be listed without being tried.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, idNumber, assertError } from './harness.mjs';

const PASSWORD = 'meta-test-pw';
let srv, admin, meta;
let serial = 0;
const uniq = (p) => `${p}${++serial}`;
const RESIDENT = { id_number: idNumber('14022119850101003'), name: '元甲', phone: '13800000001', area_code: 'mg1' };
let residentId;

async function api(method, path, token, body) {
  return request(srv.url, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function ok(res, status = 200) {
  assert.equal(res.status, status, res.text);
  return res.json;
}

before(async () => {
  srv = await startServer();
  admin = (await ok(await api('POST', '/api/v1/session', null, { username: 'admin', password: srv.adminPassword }))).token;
  meta = await ok(await api('GET', '/api/v1/meta', admin));
  await ok(await api('POST', '/api/v1/areas', admin, { code: 'mc1', level: 'county', name: '元县' }), 201);
  await ok(await api('POST', '/api/v1/areas', admin, { code: 'mg1', parent_code: 'mc1', level: 'grid', name: '元网格' }), 201);
  residentId = (await ok(await api('POST', '/api/v1/residents', admin, RESIDENT), 201)).id;
});

after(async () => {
  if (srv) await srv.stop();
});

test('meta needs a session and names every list', async () => {
  await assertError(await api('GET', '/api/v1/meta', null), 401, 'unauthenticated');
  for (const key of ['roles', 'permissions', 'area_levels', 'area_statuses', 'user_statuses',
    'resident_statuses', 'resident_types', 'resident_levels', 'place_kinds', 'place_types', 'place_statuses', 'staff_positions',
    'case_types', 'case_states', 'case_actions', 'case_domains', 'case_categories']) {
    assert.ok(Array.isArray(meta[key]) && meta[key].length > 0, `${key} is a non-empty list`);
  }
  for (const r of meta.roles) {
    assert.ok(r.code && r.zh && r.en, `role ${r.code} has both labels`);
    for (const p of r.permissions) assert.ok(meta.permissions.includes(p), `${r.code}: ${p} is a listed permission`);
  }
});

test('/me carries the permissions meta lists for the caller\'s role', async () => {
  const me = await ok(await api('GET', '/api/v1/me', admin));
  const role = meta.roles.find((r) => r.code === me.user.role);
  assert.deepEqual(me.user.permissions, role.permissions);
});

// One probe per permission: it answers whether the caller was allowed.
const PROBES = {
  'users.read': async (tok) => (await api('GET', '/api/v1/users', tok)).status === 200,
  'users.write': async (tok) => (await api('POST', '/api/v1/users', tok, {
    username: uniq('probe'), display_name: '探', role: 'resident', scope: 'mg1', password: PASSWORD,
  })).status === 201,
  'audit.read': async (tok) => (await api('GET', '/api/v1/audit', tok)).status === 200,
  'areas.write': async (tok) => (await api('POST', '/api/v1/areas', tok, {
    code: uniq('pa'), parent_code: 'mc1', level: 'grid', name: '探网格',
  })).status === 201,
  'areas.read': async (tok) => (await api('GET', '/api/v1/areas/mc1', tok)).status === 200,
  'people.read': async (tok) => (await api('GET', '/api/v1/residents', tok)).status === 200,
  'people.write': async (tok) => (await api('POST', '/api/v1/residents', tok, {
    id_number: idNumber(`1402211990010${String(100 + serial++).slice(-3)}1`), name: '探人', area_code: 'mg1',
  })).status === 201,
  // Unmasking is seen in what a read of the resident shows; a role that may
  // not read residents sees nothing, which is not unmasking either.
  'unmask.id': async (tok) => {
    const r = await api('GET', `/api/v1/residents/${residentId}`, tok);
    return r.status === 200 && r.json.id_number === RESIDENT.id_number;
  },
  'policy.read': async (tok) => (await api('GET', '/api/v1/policies', tok)).status === 200,
  'policy.write': async (tok) => (await api('POST', '/api/v1/policies/nhc-20/activate', tok)).status === 200,
  'cases.read': async (tok) => (await api('GET', '/api/v1/cases', tok)).status === 200,
  'cases.write': async (tok) => (await api('POST', '/api/v1/cases', tok, {
    type: 'event', category: 'sanitation.garbage', area_code: 'mg1', title: '探事件',
  })).status === 201,
  // Dispatching is assigning a case the caller's unit holds down the tree:
  // a fresh one each time, filed on the county the probed accounts sit on.
  'cases.dispatch': async (tok) => {
    const c = await ok(await api('POST', '/api/v1/cases', admin, {
      type: 'event', category: 'sanitation.garbage', area_code: 'mc1', title: '探派单',
    }), 201);
    return (await api('POST', `/api/v1/cases/${c.id}/actions/assign`, tok, { to: 'mg1' })).status === 200;
  },
  'cases.catalogue': async (tok) => (await api('POST', '/api/v1/case-categories', tok, {
    code: uniq('probe.cat'), domain: 'other', zh: '探类', en: 'Probe',
  })).status === 201,
  'calendar.write': async (tok) => (await api('PUT', '/api/v1/calendar/days/2035-06-15', tok, {
    kind: 'holiday', name: '探',
  })).status === 200,
  'unmask.phone': async (tok) => {
    const r = await api('GET', `/api/v1/residents/${residentId}`, tok);
    return r.status === 200 && r.json.phone === RESIDENT.phone;
  },
};

test('every permission meta lists has a probe here', () => {
  for (const p of meta.permissions) assert.ok(PROBES[p], `no probe for permission ${p}`);
});

test('every listed role can be assigned; its listed permissions are granted, the others refused', async () => {
  for (const role of meta.roles) {
    const username = uniq(`m_${role.code}_`);
    await ok(await api('POST', '/api/v1/users', admin, {
      username, display_name: role.zh, role: role.code, scope: 'mc1', password: PASSWORD,
    }), 201);
    const tok = (await ok(await api('POST', '/api/v1/session', null, { username, password: PASSWORD }))).token;
    for (const perm of meta.permissions) {
      const granted = await PROBES[perm](tok);
      assert.equal(granted, role.permissions.includes(perm),
        `${role.code} ${role.permissions.includes(perm) ? 'lists but is refused' : 'does not list but is granted'} ${perm}`);
    }
  }
  await assertError(await api('POST', '/api/v1/users', admin, {
    username: uniq('m_bad'), display_name: 'x', role: 'not_a_role', scope: 'mc1', password: PASSWORD,
  }), 400, 'invalid_field', { field: 'role' });
});

// Each level sits below its parent's: the first listed level is the root's
// (made by init), each later one is created under the one before it.
async function levelChain(prefix) {
  const root = (await ok(await api('GET', '/api/v1/areas', admin))).items.find((a) => !a.parent_code);
  assert.equal(root.level, meta.area_levels[0].code, 'the root has the first listed level');
  const chain = [];
  let parent = root.code;
  for (const { code: level } of meta.area_levels.slice(1)) {
    const code = uniq(prefix);
    await ok(await api('POST', '/api/v1/areas', admin, { code, parent_code: parent, level, name: `层${level}` }), 201);
    chain.push({ code, level });
    parent = code;
  }
  return chain;
}

test('every listed area level can be created; an unlisted one is refused', async () => {
  assert.equal((await levelChain('lv')).length, meta.area_levels.length - 1);
  await assertError(await api('POST', '/api/v1/areas', admin, { code: uniq('lv'), parent_code: 'mc1', level: 'province', name: '省' }),
    400, 'invalid_field', { field: 'level' });
});

test('area, user, place and resident statuses: each listed one is accepted, an unlisted one refused', async () => {
  const area = uniq('st');
  await ok(await api('POST', '/api/v1/areas', admin, { code: area, parent_code: 'mc1', level: 'grid', name: '空网格' }), 201);
  for (const { code } of [...meta.area_statuses].reverse()) {
    assert.equal((await ok(await api('PATCH', `/api/v1/areas/${area}`, admin, { status: code }))).status, code);
  }
  await assertError(await api('PATCH', `/api/v1/areas/${area}`, admin, { status: 'deleted' }), 400, 'invalid_field', { field: 'status' });

  const user = uniq('st_u');
  await ok(await api('POST', '/api/v1/users', admin, { username: user, display_name: '态', role: 'resident', scope: 'mg1', password: PASSWORD }), 201);
  for (const { code } of [...meta.user_statuses].reverse()) {
    assert.equal((await ok(await api('PATCH', `/api/v1/users/${user}`, admin, { status: code }))).status, code);
  }
  await assertError(await api('PATCH', `/api/v1/users/${user}`, admin, { status: 'locked' }), 400, 'invalid_field', { field: 'status' });

  const place = uniq('pl');
  const t = meta.place_types[0];
  await ok(await api('POST', '/api/v1/places', admin, { code: place, name: '元店', kind: t.kind, type: t.code, area_code: 'mg1' }), 201);
  for (const { code } of [...meta.place_statuses].reverse()) {
    assert.equal((await ok(await api('PATCH', `/api/v1/places/${place}`, admin, { status: code }))).status, code);
  }
  await assertError(await api('PATCH', `/api/v1/places/${place}`, admin, { status: 'closed' }), 400, 'invalid_field', { field: 'status' });

  const rid = (await ok(await api('POST', '/api/v1/residents', admin, {
    id_number: idNumber('14022119700101004'), name: '态人', area_code: 'mg1',
  }), 201)).id;
  for (const { code } of [...meta.resident_statuses].reverse()) {
    assert.equal((await ok(await api('PATCH', `/api/v1/residents/${rid}`, admin, { status: code, note: 'meta' }))).status, code);
  }
  await assertError(await api('PATCH', `/api/v1/residents/${rid}`, admin, { status: 'gone' }), 400, 'invalid_field', { field: 'status' });
});

test('every listed resident type is accepted, an unlisted one refused', async () => {
  let n = 10;
  for (const { code } of meta.resident_types) {
    const r = await ok(await api('POST', '/api/v1/residents', admin, {
      id_number: idNumber(`140221196001010${n++}`), name: '型人', area_code: 'mg1', resident_type: code,
    }), 201);
    assert.equal(r.resident_type, code);
  }
  await assertError(await api('POST', '/api/v1/residents', admin, {
    id_number: idNumber(`140221196001010${n++}`), name: '型人', area_code: 'mg1', resident_type: 'tourist',
  }), 400, 'invalid_field', { field: 'resident_type' });
});

test('residents register on exactly the listed levels', async () => {
  let n = 40;
  for (const { code: area, level } of await levelChain('rl')) {
    const res = await api('POST', '/api/v1/residents', admin, {
      id_number: idNumber(`140221195001010${n++}`), name: '住人', area_code: area,
    });
    const listed = meta.resident_levels.some((l) => l.code === level);
    assert.equal(res.status, listed ? 201 : 400, `${level}: ${res.text}`);
  }
  for (const { code } of meta.resident_levels) {
    assert.ok(meta.area_levels.some((l) => l.code === code), `${code} is an area level`);
  }
});

test('every listed place type of every listed kind can be created; others are refused', async () => {
  const kinds = meta.place_kinds.map((k) => k.code);
  for (const t of meta.place_types) {
    assert.ok(kinds.includes(t.kind), `${t.code}'s kind ${t.kind} is listed`);
    assert.ok(t.zh && t.en, `${t.code} has both labels`);
    await ok(await api('POST', '/api/v1/places', admin, { code: uniq('pt'), name: t.zh, kind: t.kind, type: t.code, area_code: 'mg1' }), 201);
  }
  for (const kind of kinds) assert.ok(meta.place_types.some((t) => t.kind === kind), `kind ${kind} has types`);
  const res = await api('POST', '/api/v1/places', admin, { code: uniq('pt'), name: '怪', kind: 'venue', type: 'castle', area_code: 'mg1' });
  assert.equal(res.status, 400, res.text);
  const res2 = await api('POST', '/api/v1/places', admin, { code: uniq('pt'), name: '怪', kind: 'moon', type: 'shop', area_code: 'mg1' });
  assert.equal(res2.status, 400, res2.text);
});

test('every listed staff position can be assigned; an unlisted one is refused', async () => {
  for (const { code } of meta.staff_positions) {
    const s = await ok(await api('POST', '/api/v1/staff', admin, { area_code: 'mg1', position: code, name: `职${code}` }), 201);
    assert.equal(s.position, code);
  }
  await assertError(await api('POST', '/api/v1/staff', admin, { area_code: 'mg1', position: 'mayor', name: '长' }),
    400, 'invalid_field', { field: 'position' });
});

test('case states and domains: each listed one filters a list, an unlisted one is refused', async () => {
  for (const { code } of meta.case_states) await ok(await api('GET', `/api/v1/cases?state=${code}`, admin));
  await assertError(await api('GET', '/api/v1/cases?state=lost', admin), 400, 'invalid_field', { field: 'state' });
  for (const { code } of meta.case_domains) {
    await ok(await api('GET', `/api/v1/cases?domain=${code}`, admin));
    await ok(await api('POST', '/api/v1/case-categories', admin, { code: uniq(`dom.${code}`), domain: code, zh: '域', en: 'Domain' }), 201);
  }
  await assertError(await api('GET', '/api/v1/cases?domain=moon', admin), 400, 'invalid_field', { field: 'domain' });
  for (const c of meta.case_categories) assert.ok(c.zh && c.en, `category ${c.code} has both labels`);
});
