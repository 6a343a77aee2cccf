// The registry through the real binary: residents are validated, found by
// every kind of search text within scope only, masked by role, corrected
// with a history, moved out and back; ledgers count and filter; the
// responsibility card adds up; areas move with their people and retire only
// when empty. Each test names what it proves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertError, civgrid, cleanEnv, idNumber } from './harness.mjs';

let srv, admin;
const PW = 'registry-pw';
const tokens = {};
const ids = {};

async function api(method, path, token, body) {
  return request(srv.url, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
async function login(u) {
  const r = await api('POST', '/api/v1/session', null, { username: u, password: PW });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}
const names = (r) => r.json.items.map((x) => x.name).sort();

const ZHANG = { id_number: idNumber('14022119900307123'), name: '张伟', phone: '13800000001', area_code: 'b1', household: '101', unit: '1', room: '101', tags: 'party_member;volunteer' };
const WANG = { id_number: idNumber('14022119850512002'), name: '王芳', phone: '13900000002', area_code: 'b1', household: '102', resident_type: 'floating' };
const LI = { id_number: idNumber('14022119700101005'), name: '李强', phone: '13700000003', area_code: 'g2', household: '201' };

before(async () => {
  srv = await startServer();
  const env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  for (const a of [['c1', null, 'county', '阳高县'], ['t1', 'c1', 'town', '龙泉镇'], ['g1', 't1', 'grid', '第一网格'],
    ['b1', 'g1', 'building', '幸福小区1号楼'], ['g2', 't1', 'grid', '第二网格'], ['t2', 'c1', 'town', '古城镇']]) {
    const args = ['area', 'add', a[0], '--level', a[2], '--name', a[3]];
    if (a[1]) args.push('--parent', a[1]);
    const r = await civgrid(args, { env });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, role, scope] of [['gw1', 'grid_worker', 'g1'], ['gw2', 'grid_worker', 'g2'], ['cdc1', 'cdc', 'c1'], ['bh1', 'building_head', 'b1']]) {
    const r = await civgrid(['user', 'add', u, '--role', role, '--scope', scope, '--password-stdin'], { env, input: PW });
    assert.equal(r.code, 0, r.stderr);
  }
  admin = (await api('POST', '/api/v1/session', null, { username: 'admin', password: srv.adminPassword })).json.token;
  for (const u of ['gw1', 'gw2', 'cdc1', 'bh1']) tokens[u] = await login(u);
  for (const [k, body] of [['zhang', ZHANG], ['wang', WANG], ['li', LI]]) {
    const r = await api('POST', '/api/v1/residents', admin, body);
    assert.equal(r.status, 201, r.text);
    ids[k] = r.json.id;
  }
});
after(async () => { await srv?.stop(); });

test('sex and birth date come from the ID number; tags and type are stored', async () => {
  const r = await api('GET', `/api/v1/residents/${ids.zhang}`, admin);
  assert.equal(r.json.sex, 'M');
  // The admin sees masked ID numbers, so the birth year only (the full date
  // would give the number back); the CDC tracer sees both in full.
  assert.equal(r.json.birth_date, '1990-**-**');
  assert.equal((await api('GET', `/api/v1/residents/${ids.zhang}`, tokens.cdc1)).json.birth_date, '1990-03-07');
  assert.equal(r.json.tags, 'party_member;volunteer');
  const w = await api('GET', `/api/v1/residents/${ids.wang}`, admin);
  assert.equal(w.json.sex, 'F');
  assert.equal(w.json.resident_type, 'floating');
});

test('bad residents are refused with the field named, and nothing is written', async () => {
  const bad = [
    [{ ...ZHANG, id_number: ZHANG.id_number.slice(0, 17) + (ZHANG.id_number[17] === '1' ? '2' : '1') }, 'id_number', /check digit/],
    [{ ...ZHANG, id_number: '1402211990030712' }, 'id_number', /18 characters/],
    [{ ...ZHANG, id_number: idNumber('14022119900230123') }, 'id_number', /impossible/],
    [{ ...ZHANG, phone: '12345' }, 'phone', /mobile/],
    [{ ...ZHANG, area_code: 'nowhere' }, 'area_code', /no area/],
    [{ ...ZHANG, area_code: 't1' }, 'area_code', /not a building or a grid/],
    [{ ...ZHANG, resident_type: 'tourist' }, 'resident_type', /permanent or floating/],
    [{ ...ZHANG, tags: 'party_member;astronaut' }, 'tags', /unknown ledger 'astronaut'/],
  ];
  for (const [body, field, msg] of bad) {
    const r = await api('POST', '/api/v1/residents', admin, body);
    await assertError(r, 400, 'invalid_field', { field });
    assert.match(r.json.message, msg);
  }
  const all = await api('GET', '/api/v1/residents?status=all&limit=1000', admin);
  assert.equal(all.json.items.length, 3, 'no refused resident was written');
});

test('search by name prefix, full ID, last digits, phone and address', async () => {
  assert.deepEqual(names(await api('GET', `/api/v1/residents?q=${encodeURIComponent('张')}`, admin)), ['张伟']);
  assert.deepEqual(names(await api('GET', `/api/v1/residents?q=${ZHANG.id_number}`, admin)), ['张伟']);
  assert.deepEqual(names(await api('GET', `/api/v1/residents?q=${ZHANG.id_number.slice(-4)}`, admin)), ['张伟']);
  assert.deepEqual(names(await api('GET', `/api/v1/residents?q=${ZHANG.id_number.slice(-6)}`, admin)), ['张伟']);
  assert.deepEqual(names(await api('GET', '/api/v1/residents?q=13900000002', admin)), ['王芳']);
  assert.deepEqual(names(await api('GET', `/api/v1/residents?q=${encodeURIComponent('1号楼')}`, admin)), ['张伟', '王芳'].sort());
  assert.deepEqual(names(await api('GET', '/api/v1/residents?area=g2', admin)), ['李强']);
  assert.deepEqual(names(await api('GET', '/api/v1/residents?ledger=party_member', admin)), ['张伟']);
});

test('a grid worker finds only its own grid, by any search', async () => {
  const t = tokens.gw1;
  assert.deepEqual(names(await api('GET', '/api/v1/residents', t)), ['张伟', '王芳'].sort());
  for (const q of [LI.id_number, LI.id_number.slice(-4), LI.phone, encodeURIComponent('李')]) {
    const r = await api('GET', `/api/v1/residents?q=${q}`, t);
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 0, `gw1 must not find ${q}`);
  }
  await assertError(await api('GET', `/api/v1/residents/${ids.li}`, t), 404, 'not_found');
  await assertError(await api('GET', '/api/v1/residents?area=g2', t), 404, 'not_found');
  // Nor can it write into another grid or take over a resident registered there.
  await assertError(await api('POST', '/api/v1/residents', t, { ...LI, area_code: 'g2' }), 400, 'invalid_field', { field: 'area_code' });
  await assertError(await api('POST', '/api/v1/residents', t, { ...LI, area_code: 'g1' }), 409, 'already_exists');
});

test('masking depends on the role, and unmasked reads are audited as such', async () => {
  const gw = await api('GET', `/api/v1/residents/${ids.zhang}`, tokens.gw1);
  assert.equal(gw.json.id_number, `${ZHANG.id_number.slice(0, 4)}**********${ZHANG.id_number.slice(-4)}`);
  assert.equal(gw.json.phone, ZHANG.phone, 'a grid worker calls residents: phones in full');
  const cdc = await api('GET', `/api/v1/residents/${ids.zhang}`, tokens.cdc1);
  assert.equal(cdc.json.id_number, ZHANG.id_number, 'a CDC tracer needs the full number');
  const adm = await api('GET', `/api/v1/residents/${ids.zhang}`, admin);
  assert.equal(adm.json.id_number, `${ZHANG.id_number.slice(0, 4)}**********${ZHANG.id_number.slice(-4)}`);
  assert.equal(adm.json.phone, '138****0001');
  const audit = await api('GET', '/api/v1/audit?actor=cdc1', admin);
  assert.ok(audit.json.items.some((e) => e.action === 'resident.read.unmasked' && e.object_id === String(ids.zhang)), 'the unmasked read is on record');
});

test('a correction writes the history; the same data again writes nothing', async () => {
  const moved = await api('PATCH', `/api/v1/residents/${ids.zhang}`, admin, { phone: '13800000009', area_code: 'g1' });
  assert.equal(moved.status, 200, moved.text);
  const again = await api('PATCH', `/api/v1/residents/${ids.zhang}`, admin, { ...ZHANG, phone: '13800000009', area_code: 'g1' });
  assert.equal(again.status, 200, again.text);
  const h = await api('GET', `/api/v1/residents/${ids.zhang}/history`, tokens.gw1);
  assert.deepEqual(h.json.items.map((x) => [x.field, x.old, x.new]), [['phone', '13800000001', '13800000009'], ['area', 'b1', 'g1']]);
  assert.ok(h.json.items.every((x) => x.actor === 'admin'));
});

test('moved out and deceased are kept, hidden from the default list, and reversible', async () => {
  const r = await api('PATCH', `/api/v1/residents/${ids.wang}`, tokens.gw1, { status: 'moved_out', note: '迁往太原' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'moved_out');
  assert.deepEqual(names(await api('GET', '/api/v1/residents', tokens.gw1)), ['张伟']);
  assert.deepEqual(names(await api('GET', '/api/v1/residents?status=moved_out', tokens.gw1)), ['王芳']);
  await assertError(await api('PATCH', `/api/v1/residents/${ids.wang}`, tokens.gw1, { status: 'vanished' }), 400, 'invalid_field', { field: 'status' });
  await assertError(await api('PATCH', `/api/v1/residents/${ids.wang}`, tokens.bh1, { status: 'active' }), 403, 'forbidden');
  assert.equal((await api('PATCH', `/api/v1/residents/${ids.wang}`, tokens.gw1, { status: 'active' })).status, 200);
  const h = await api('GET', `/api/v1/residents/${ids.wang}/history`, admin);
  assert.deepEqual(h.json.items.map((x) => [x.field, x.old, x.new]),
    [['status', 'active', 'moved_out'], ['note', null, '迁往太原'], ['status', 'moved_out', 'active']]);
});

test('ledgers: counts per area and per child, tagging with dates, and bad dates refused', async () => {
  const tag = await api('PUT', `/api/v1/residents/${ids.li}/ledgers/truck_driver`, admin, { start_date: '2022-01-01', note: '大车' });
  assert.equal(tag.status, 204, tag.text);
  const list = await api('GET', '/api/v1/ledgers?area=t1', admin);
  const count = (n) => list.json.items.find((l) => l.name === n).count;
  assert.equal(count('party_member'), 1);
  assert.equal(count('truck_driver'), 1);
  assert.equal(list.json.items.find((l) => l.name === 'party_member').zh, '党员');
  const per = await api('GET', '/api/v1/ledgers/truck_driver/counts?area=t1', admin);
  assert.deepEqual(per.json.items.map((x) => [x.code, x.count]), [['g1', 0], ['g2', 1]]);
  await assertError(await api('PUT', `/api/v1/residents/${ids.li}/ledgers/truck_driver`, admin, { start_date: '2022-05-01', end_date: '2022-01-01' }), 400, 'invalid_field', { field: 'end_date' });
  await assertError(await api('PUT', `/api/v1/residents/${ids.li}/ledgers/unicorn`, admin, {}), 400, 'invalid_field', { field: 'ledger' });
  // An entry that ended yesterday no longer counts.
  assert.equal((await api('PUT', `/api/v1/residents/${ids.li}/ledgers/truck_driver`, admin, { start_date: '2022-01-01', end_date: '2023-01-01' })).status, 204);
  const after = await api('GET', '/api/v1/ledgers?area=t1', admin);
  assert.equal(after.json.items.find((l) => l.name === 'truck_driver').count, 0);
  assert.equal((await api('DELETE', `/api/v1/residents/${ids.li}/ledgers/truck_driver`, admin)).status, 204);
  await assertError(await api('DELETE', `/api/v1/residents/${ids.li}/ledgers/truck_driver`, admin), 404, 'not_found');
});

test('the responsibility card names the chain above the grid and counts its people', async () => {
  for (const [area, position, name, phone] of [['t1', 'commander', '赵镇长', '13911110000'], ['g1', 'grid_worker', '钱网格', '13922220000'], ['b1', 'building_head', '孙楼长', null]]) {
    const r = await api('POST', '/api/v1/staff', admin, { area_code: area, position, name, phone });
    assert.equal(r.status, 201, r.text);
  }
  await assertError(await api('POST', '/api/v1/staff', admin, { area_code: 'g1', position: 'mayor', name: 'x' }), 400, 'invalid_field', { field: 'position' });
  const card = await api('GET', '/api/v1/areas/g1/card', tokens.gw1);
  assert.equal(card.status, 200, card.text);
  assert.deepEqual(card.json.chain.map((s) => [s.position, s.name]), [['commander', '赵镇长']], 'the chain is the people above the grid');
  const here = card.json.staff.filter((g) => g.total).map((g) => [g.position, g.total, g.items.map((s) => s.name)]);
  assert.deepEqual(here, [['grid_worker', 1, ['钱网格']], ['building_head', 1, ['孙楼长']]], 'the grid and below, by position');
  assert.equal(card.json.overview, false);
  assert.equal(card.json.chain[0].phone, '13911110000', 'the card publishes work phones in full');
  assert.deepEqual(card.json.buildings.map((b) => b.code), ['b1']);
  assert.equal(card.json.residents, 2);
  assert.equal(card.json.households, 2);
  assert.equal(card.json.floating, 1);
});

test('an area moves with its people; it retires only when empty; nothing is deleted', async () => {
  await assertError(await api('PATCH', '/api/v1/areas/g1', admin, { parent_code: 'b1' }), 409, 'conflict', { field: 'parent_code' });
  const mv = await api('PATCH', '/api/v1/areas/g1', admin, { parent_code: 't2', name: '第一网格(古城)' });
  assert.equal(mv.status, 200, mv.text);
  assert.equal(mv.json.parent_code, 't2');
  assert.deepEqual(names(await api('GET', '/api/v1/residents?area=t2', admin)), ['张伟', '王芳'].sort());
  assert.deepEqual(names(await api('GET', '/api/v1/residents?area=t1', admin)), ['李强']);
  assert.deepEqual(names(await api('GET', '/api/v1/residents', tokens.gw1)), ['张伟', '王芳'].sort(), 'the grid worker moved along with the grid');
  const busy = await api('PATCH', '/api/v1/areas/g2', admin, { status: 'retired' });
  await assertError(busy, 409, 'conflict', { field: 'status' });
  assert.match(busy.json.message, /move them first/);
  const empty = await api('POST', '/api/v1/areas', admin, { code: 'g9', parent_code: 't1', level: 'grid', name: '空网格' });
  assert.equal(empty.status, 201);
  const ret = await api('PATCH', '/api/v1/areas/g9', admin, { status: 'retired' });
  assert.equal(ret.json.status, 'retired');
  await assertError(await api('POST', '/api/v1/residents', admin, { ...LI, id_number: idNumber('14022120000101003'), area_code: 'g9' }), 400, 'invalid_field', { field: 'area_code' });
  const kids = await api('GET', '/api/v1/areas/t1/children', admin);
  assert.deepEqual(kids.json.items.map((k) => [k.code, k.status, k.residents]), [['g2', 'active', 1], ['g9', 'retired', 0]]);
});
