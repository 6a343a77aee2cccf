// Registering and correcting are different acts (issue 9, findings 1 and 4).
// POST /api/v1/residents only registers: a number already registered in the
// caller's scope is answered 409 with that resident's id (and whom it is,
// masked), and nothing changes; one registered elsewhere is answered 409
// with what to do and nothing about who. Corrections go to PATCH
// /api/v1/residents/{id} and change only the fields they name, so that a
// centre operator, who sees ID numbers and phones masked, corrects a room
// without retyping them. Runs on both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertError, civgrid, cleanEnv, idNumber } from './harness.mjs';

let srv, admin;
const PW = 'register-pw';
const tokens = {};

async function api(method, path, token, body) {
  return request(srv.url, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
async function login(u) {
  const r = await api('POST', '/api/v1/session', null, { username: u, password: PW });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}
async function history(id) {
  const r = await api('GET', `/api/v1/residents/${id}/history`, admin);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

const ZHAO = { id_number: idNumber('14022119880808123'), name: '赵敏', phone: '13812345678', area_code: 'b1', household: '301', unit: '2', room: '301' };
const QIAN = { id_number: idNumber('14022119770707002'), name: '钱多', phone: '13987654321', area_code: 'g2', room: '5' };
const ids = {};

before(async () => {
  srv = await startServer();
  const env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  for (const a of [['c1', null, 'county', '阳高县'], ['g1', 'c1', 'grid', '第一网格'], ['b1', 'g1', 'building', '幸福小区1号楼'],
    ['g2', 'c1', 'grid', '第二网格']]) {
    const args = ['area', 'add', a[0], '--level', a[2], '--name', a[3]];
    if (a[1]) args.push('--parent', a[1]);
    const r = await civgrid(args, { env });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, role, scope] of [['gw1', 'grid_worker', 'g1'], ['ctr1', 'centre', 'c1'], ['cdc1', 'cdc', 'c1']]) {
    const r = await civgrid(['user', 'add', u, '--role', role, '--scope', scope, '--password-stdin'], { env, input: PW });
    assert.equal(r.code, 0, r.stderr);
  }
  admin = (await api('POST', '/api/v1/session', null, { username: 'admin', password: srv.adminPassword })).json.token;
  for (const u of ['gw1', 'ctr1', 'cdc1']) tokens[u] = await login(u);
  for (const [k, body] of [['zhao', ZHAO], ['qian', QIAN]]) {
    const r = await api('POST', '/api/v1/residents', admin, body);
    assert.equal(r.status, 201, r.text);
    ids[k] = r.json.id;
  }
});
after(async () => { await srv?.stop(); });

// Proves: a mistyped registration with an existing number in scope answers
// 409 with the resident's id and a masked description, and changes nothing:
// name, unit and room as before, no history row.
test('registering a number already in scope answers 409 with the resident and changes nothing', async () => {
  const before = (await api('GET', `/api/v1/residents/${ids.zhao}`, tokens.cdc1)).json;
  const r = await api('POST', '/api/v1/residents', tokens.gw1, { id_number: ZHAO.id_number, name: '赵四', area_code: 'g1' });
  await assertError(r, 409, 'already_exists', { field: 'id_number' });
  assert.equal(r.json.id, ids.zhao);
  assert.equal(r.json.resident.id, ids.zhao);
  assert.equal(r.json.resident.name, '赵*', 'the name is masked');
  assert.equal(r.json.resident.id_number, `${ZHAO.id_number.slice(0, 4)}**********${ZHAO.id_number.slice(-4)}`);
  assert.equal(r.json.resident.area.code, 'b1');
  const after = (await api('GET', `/api/v1/residents/${ids.zhao}`, tokens.cdc1)).json;
  assert.deepEqual(after, before, 'the record is unchanged');
  assert.equal(after.name, '赵敏');
  assert.equal(after.unit, '2');
  assert.equal(after.room, '301');
  assert.deepEqual(await history(ids.zhao), [], 'no history row');
});

// Proves: a number registered outside the caller's scope answers 409 that
// says so and what to do, naming nobody, and is audited as a probe.
test('registering a number held elsewhere answers 409 without identity', async () => {
  const r = await api('POST', '/api/v1/residents', tokens.gw1, { id_number: QIAN.id_number, name: '钱多', area_code: 'g1' });
  await assertError(r, 409, 'already_exists', { field: 'id_number' });
  assert.equal(r.json.id, undefined);
  assert.equal(r.json.resident, undefined);
  assert.match(r.json.message, /outside your scope/);
  assert.match(r.json.message, /transfer/);
  assert.ok(!/钱|g2|第二网格/.test(r.text), `nothing about who: ${r.text}`);
  const q = await api('GET', `/api/v1/residents/${ids.qian}`, admin);
  assert.equal(q.json.area.code, 'g2', 'the other grid keeps its resident');
  const audit = await api('GET', '/api/v1/audit?actor=gw1', admin);
  assert.ok(audit.json.items.some((e) => e.action === 'resident.probe_elsewhere' && e.outcome === 'already_exists'), 'audited as a probe');
});

// Proves: a centre operator (masked ID numbers and phones) corrects only the
// room; ID number and phone stay as they were, the history has the room
// only. Sending the masked values back as shown is no change either.
test('a centre operator corrects a room without retyping the masked ID number and phone', async () => {
  const seen = await api('GET', `/api/v1/residents/${ids.zhao}`, tokens.ctr1);
  assert.match(seen.json.id_number, /\*/);
  assert.match(seen.json.phone, /\*/);
  const r = await api('PATCH', `/api/v1/residents/${ids.zhao}`, tokens.ctr1, { room: '302' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.room, '302');
  const again = await api('PATCH', `/api/v1/residents/${ids.zhao}`, tokens.ctr1,
    { id_number: seen.json.id_number, phone: seen.json.phone, name: seen.json.name, room: '303' });
  assert.equal(again.status, 200, again.text);
  const full = (await api('GET', `/api/v1/residents/${ids.zhao}`, tokens.cdc1)).json;
  assert.equal(full.id_number, ZHAO.id_number, 'the ID number is intact');
  assert.equal(full.phone, ZHAO.phone, 'the phone is intact');
  assert.equal(full.unit, '2', 'fields not named stay');
  assert.equal(full.room, '303');
  assert.deepEqual((await history(ids.zhao)).map((x) => [x.field, x.old, x.new]), [['room', '301', '302'], ['room', '302', '303']]);
});

// Proves: a correction is checked like a registration (a bad phone is
// refused with its field), and one out of scope is not found.
test('corrections are checked and scoped', async () => {
  await assertError(await api('PATCH', `/api/v1/residents/${ids.zhao}`, tokens.gw1, { phone: '12345' }), 400, 'invalid_field', { field: 'phone' });
  await assertError(await api('PATCH', `/api/v1/residents/${ids.zhao}`, tokens.gw1, { area_code: 'g2' }), 400, 'invalid_field', { field: 'area_code' });
  await assertError(await api('PATCH', `/api/v1/residents/${ids.qian}`, tokens.gw1, { room: '6' }), 404, 'not_found');
  await assertError(await api('PATCH', `/api/v1/residents/${ids.zhao}`, tokens.cdc1, { room: '6' }), 403, 'forbidden');
  assert.equal((await api('GET', `/api/v1/residents/${ids.zhao}`, tokens.cdc1)).json.room, '303');
});

// Proves: the unmasked value is needed only to change that value: a grid
// worker corrects a mistyped ID number by typing the new one in full (sex
// and birth date follow it; the history masks it), and a number another
// resident holds is refused.
test('a mistyped ID number is corrected by typing the new one', async () => {
  const wrong = idNumber('14022119990101201');
  const reg = await api('POST', '/api/v1/residents', tokens.gw1, { id_number: wrong, name: '孙丽', area_code: 'g1' });
  assert.equal(reg.status, 201, reg.text);
  await assertError(await api('PATCH', `/api/v1/residents/${reg.json.id}`, tokens.gw1, { id_number: ZHAO.id_number }), 409, 'already_exists', { field: 'id_number' });
  const right = idNumber('14022119990202202');
  const r = await api('PATCH', `/api/v1/residents/${reg.json.id}`, tokens.gw1, { id_number: right });
  assert.equal(r.status, 200, r.text);
  const full = (await api('GET', `/api/v1/residents/${reg.json.id}`, tokens.cdc1)).json;
  assert.equal(full.id_number, right);
  assert.equal(full.birth_date, '1999-02-02');
  assert.equal(full.sex, 'F');
  const h = await history(reg.json.id);
  assert.deepEqual(h.map((x) => x.field), ['id_number']);
  assert.match(h[0].new, /^\d{4}\*{10}[\dX]{4}$/, 'the admin sees it masked in the history');
});

// Proves: a CSV import keeps updating by ID number, and its dry run says
// which rows would change which existing residents (and changes nothing).
test('an import dry run lists the rows that update existing residents', async () => {
  const csv = `id_number,name,area_code,room\n${ZHAO.id_number},赵敏,b1,401\n${idNumber('14022119660606206')},新人,b1,1\n`;
  const dry = await request(srv.url, 'POST', '/api/v1/import/residents?dry_run=1', {
    body: csv, headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
  });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.updates_total, 1);
  assert.deepEqual(dry.json.updates, [{ line: 2, id: ids.zhao, name: '赵敏' }]);
  assert.equal((await api('GET', `/api/v1/residents/${ids.zhao}`, admin)).json.room, '303', 'a dry run writes nothing');
  const real = await request(srv.url, 'POST', '/api/v1/import/residents', {
    body: csv, headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
  });
  assert.equal(real.status, 200, real.text);
  assert.deepEqual(real.json.updates, [{ line: 2, id: ids.zhao, name: '赵敏' }]);
  assert.equal((await api('GET', `/api/v1/residents/${ids.zhao}`, admin)).json.room, '401', 'the import updates by ID number');
});
