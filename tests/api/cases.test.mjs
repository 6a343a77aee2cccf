// Cases through the real binary (docs/cases.md), on the backend the harness
// names: filing with each type's required fields, every action through HTTP
// along the chain grid -> community -> town -> county -> department and back,
// refusals that change nothing, what a department and another grid may see,
// the 409 race between concurrent actions, photos (sniffed type, size limit,
// served only within sight of the case), the catalogue and /api/v1/meta, and
// the command line's `case show|act|list`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, assertError, civgrid, cleanEnv, sql, BACKEND } from './harness.mjs';

const PW = 'cases-test-pw-1';
const PHOTO_MAX = 4096;
let srv;
const tok = {};

async function api(who, method, p, body, headers = {}) {
  return request(srv.url, method, p, {
    body, headers: { ...(tok[who] ? { authorization: `Bearer ${tok[who]}` } : {}), ...headers },
  });
}

async function login(username, password) {
  const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username, password } });
  assert.equal(r.status, 200, `login ${username}: ${r.text}`);
  return r.json.token;
}

async function file(who, body) {
  const r = await api(who, 'POST', '/api/v1/cases', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function act(who, id, action, body = {}) {
  return api(who, 'POST', `/api/v1/cases/${id}/actions/${action}`, body);
}

async function ok(who, id, action, body = {}) {
  const r = await act(who, id, action, body);
  assert.equal(r.status, 200, `${who} ${action}: ${r.text}`);
  return r.json;
}

const get = async (who, id) => api(who, 'GET', `/api/v1/cases/${id}`);

// A photo's bytes as the body, with whatever Content-Type the client claims.
async function upload(who, id, bytes, type = 'image/png', name = null) {
  const q = name ? `?name=${encodeURIComponent(name)}` : '';
  const r = await fetch(`${srv.url}/api/v1/cases/${id}/attachments${q}`, {
    method: 'POST', body: bytes, headers: { authorization: `Bearer ${tok[who]}`, 'content-type': type },
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, text, json };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const EVENT = { type: 'event', category: 'public_order.fire_risk', area_code: 'cb1', title: '楼道堆放杂物' };

before(async () => {
  srv = await startServer({ args: ['--attachment-max', String(PHOTO_MAX)] });
  tok.admin = await login('admin', srv.adminPassword);
  for (const a of [
    { code: 'cc1', level: 'county', name: '阳高县' },
    { code: 'ct1', parent_code: 'cc1', level: 'town', name: '龙泉镇' },
    { code: 'cm1', parent_code: 'ct1', level: 'community', name: '建设路社区' },
    { code: 'cg1', parent_code: 'cm1', level: 'grid', name: '第一网格' },
    { code: 'cg2', parent_code: 'cm1', level: 'grid', name: '第二网格' },
    { code: 'cb1', parent_code: 'cg1', level: 'building', name: '1号楼' },
  ]) {
    const r = await api('admin', 'POST', '/api/v1/areas', a);
    assert.equal(r.status, 201, r.text);
  }
  for (const d of [{ code: 'd-fire', name: '消防大队', domains: 'public_order' },
    { code: 'd-water', name: '水务局', domains: 'water' }]) {
    const r = await api('admin', 'POST', '/api/v1/departments', d);
    assert.equal(r.status, 201, r.text);
  }
  const users = [
    ['worker', 'grid_worker', 'cg1'], ['worker2', 'grid_worker', 'cg2'], ['head', 'grid_head', 'cm1'],
    ['commander', 'commander', 'ct1'], ['centre', 'centre', 'cc1'],
    ['fire', 'department', 'cc1', 'd-fire'], ['water', 'department', 'cc1', 'd-water'],
  ];
  for (const [username, role, scope, department] of users) {
    const r = await api('admin', 'POST', '/api/v1/users', { username, role, scope, password: PW, department });
    assert.equal(r.status, 201, r.text);
    if (department) assert.equal(r.json.department, department);
    tok[username] = await login(username, PW);
    const me = await api(username, 'GET', '/api/v1/me');
    assert.equal(me.json.user.department, department ?? null, me.text);
  }
});

after(async () => { await srv?.stop(); });

test(`filing: a building's case is held by its grid, with the actions its worker may take (${BACKEND})`, async () => {
  const c = await file('worker', { ...EVENT, lat: 40.3612, lon: 113.7491 });
  assert.equal(c.state, 'reported');
  assert.equal(c.version, 1);
  assert.equal(c.area.area_code, 'cb1');
  assert.equal(c.holder.area_code, 'cg1');
  assert.equal(c.holder.department_code, null);
  assert.equal(c.reporter, 'worker');
  assert.equal(c.source, 'api'); /* a bearer token: a script, not the browser */
  assert.deepEqual(c.location, { lat: 40.3612, lon: 113.7491 });
  assert.equal(c.category.domain, 'public_order');
  assert.equal(c.category.size, 'big');
  assert.deepEqual(c.actions.sort(), ['accept', 'escalate', 'merge']);
  // Deadlines in working days (fire risks: accept within 1, finish within 5).
  assert.ok(c.accept_due > c.created_at && c.accept_due <= c.created_at + 12 * 86400, JSON.stringify(c));
  assert.ok(c.finish_due > c.accept_due, JSON.stringify(c));
  assert.equal(c.events.length, 1);
  assert.equal(c.events[0].action, 'report');
  assert.equal(c.events[0].to_state, 'reported');
});

test('filing: each type needs its fields, and the category and area must exist in scope', async () => {
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, title: undefined }), 400, 'missing_field', { field: 'title' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, type: 'dispute' }), 400, 'missing_field', { field: 'parties' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, type: 'assistance' }), 400, 'missing_field', { field: 'person_name' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, type: 'finding' }), 400, 'missing_field', { field: 'description' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, type: 'ticket' }), 400, 'invalid_field', { field: 'type' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, category: 'no.such' }), 400, 'invalid_field', { field: 'category' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, area_code: 'cg2' }), 404, 'not_found', { field: 'area_code' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, lat: 40 }), 400, 'missing_field', { field: 'lon' });
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, title: 'a\tb' }), 400, 'invalid_field', { field: 'title' });
  const d = await file('worker', { ...EVENT, type: 'dispute', category: 'dispute.neighbour', parties: '张三；李四' });
  assert.equal(d.parties, '张三；李四');
});

test('the loop: escalated grid -> community -> town -> county, assigned to a department, verified, reopened', async () => {
  let c = await file('worker', EVENT);
  const id = c.id;
  c = await ok('worker', id, 'accept', { version: c.version });
  assert.equal(c.state, 'handling');
  assert.ok(c.accepted_at > 0);
  c = await ok('worker', id, 'escalate', { note: '需上级协调' });
  assert.equal(c.holder.area_code, 'cm1');
  assert.equal(c.from.area_code, 'cg1');
  assert.equal(c.state, 'reported');
  c = await ok('head', id, 'escalate');
  assert.equal(c.holder.area_code, 'ct1');
  c = await ok('commander', id, 'escalate');
  assert.equal(c.holder.area_code, 'cc1');
  // The county centre is the top of the chain.
  assert.ok(!c.actions.includes('escalate'));
  const top = await api('centre', 'GET', `/api/v1/cases/${id}`);
  assert.ok(top.json.actions.includes('assign'), top.text);
  assert.ok(!top.json.actions.includes('escalate'), top.text);

  // The department of another domain does not see it; the assigned one does.
  await assertError(await get('fire', id), 404, 'not_found');
  c = await ok('centre', id, 'assign', { to: 'd-fire', version: top.json.version });
  assert.equal(c.holder.department_code, 'd-fire');
  assert.equal(c.from.area_code, 'cc1');
  const seen = await get('fire', id);
  assert.equal(seen.status, 200, seen.text);
  assert.deepEqual(seen.json.actions.sort(), ['accept', 'escalate', 'merge', 'send_back']);
  await assertError(await get('water', id), 404, 'not_found');
  const list = await api('fire', 'GET', '/api/v1/cases');
  assert.deepEqual(list.json.items.map((x) => x.id), [id]);
  assert.equal((await api('water', 'GET', '/api/v1/cases')).json.total, 0);

  // Sent back with a reason, it returns to the centre; assigned again.
  await assertError(await act('fire', id, 'send_back'), 400, 'missing_field', { field: 'note' });
  c = await ok('fire', id, 'send_back', { note: '非本部门职责' });
  assert.equal(c.holder.area_code, 'cc1');
  assert.equal(c.holder.department_code, null);
  assert.equal(c.from, null);
  // The department keeps sight of what was assigned to it, but holds it no more.
  const after = await get('fire', id);
  assert.equal(after.status, 200);
  assert.deepEqual(after.json.actions, []);
  await ok('centre', id, 'assign', { to: 'd-fire' });
  await ok('fire', id, 'accept');
  c = await ok('fire', id, 'report_done', { note: '已清理' });
  assert.equal(c.state, 'done');
  // The grid verifies on the ground: a fail returns it to handling.
  const w = await get('worker', id);
  assert.deepEqual(w.json.actions.sort(), ['verify_fail', 'verify_pass']);
  c = await ok('worker', id, 'verify_fail', { note: '仍有杂物' });
  assert.equal(c.state, 'handling');
  assert.equal(c.holder.department_code, 'd-fire');
  await ok('fire', id, 'report_done', { note: '已彻底清理' });
  c = await ok('worker', id, 'verify_pass');
  assert.equal(c.state, 'closed');
  assert.ok(c.closed_at > 0);
  // The reporter may reopen it; another grid worker may not see it at all.
  await assertError(await get('worker2', id), 404, 'not_found');
  const h = await get('head', id);
  assert.deepEqual(h.json.actions, []);
  c = await ok('worker', id, 'reopen', { note: '又堆上了' });
  assert.equal(c.state, 'reported');
  assert.equal(c.closed_at, null);
  // Assigned twice, returned twice (send_back, verify_fail), closed once: each
  // told through the outbox, in the action's own transaction.
  const told = await sql(srv.dbInfo, `SELECT kind FROM outbox WHERE payload LIKE '%"case_id":${id},%' ORDER BY id`);
  assert.deepEqual(told.split('\n'), ['case.assigned', 'case.returned', 'case.assigned', 'case.returned', 'case.closed']);
  assert.deepEqual(c.events.map((e) => e.action), ['report', 'accept', 'escalate', 'escalate', 'escalate',
    'assign', 'send_back', 'assign', 'accept', 'report_done', 'verify_fail', 'report_done', 'verify_pass', 'reopen']);
  assert.equal(c.events[6].note, '非本部门职责');
  assert.equal(c.events[5].unit.department_code, 'd-fire');
});

test('refusals change nothing: wrong state, wrong unit, role, rules, missing fields', async () => {
  const c = await file('worker', EVENT);
  const before = (await get('worker', c.id)).json;
  const refusals = [
    [await act('worker', c.id, 'report_done', { note: 'x' }), 409, 'case_action_not_allowed'],
    [await act('worker', c.id, 'verify_pass'), 409, 'case_action_not_allowed'],
    [await act('worker', c.id, 'reopen', { note: 'x' }), 409, 'case_action_not_allowed'],
    [await act('worker', c.id, 'report'), 409, 'case_action_not_allowed'],
    [await act('worker', c.id, 'assign', { to: 'cb1' }), 403, 'forbidden'],
    [await act('worker', c.id, 'handle_on_spot', { note: 'x' }), 409, 'case_rule'],
    [await act('worker', c.id, 'send_back', { note: 'x' }), 409, 'case_rule'],
    [await act('worker', c.id, 'merge', {}), 400, 'missing_field'],
    [await act('worker', c.id, 'merge', { into: c.id }), 409, 'case_rule'],
    [await act('worker', c.id, 'fly'), 400, 'invalid_field'],
    [await act('worker', c.id, 'accept', { version: 99 }), 409, 'case_version_conflict'],
    [await act('worker2', c.id, 'accept'), 404, 'not_found'],
    [await act('fire', c.id, 'accept'), 404, 'not_found'],
    [await act('head', c.id, 'assign', { to: 'cg2' }), 409, 'case_rule'],
    [await act('head', c.id, 'assign', { to: 'nowhere' }), 400, 'invalid_field'],
  ];
  for (const [r, status, code] of refusals) await assertError(r, status, code);
  const now = (await get('worker', c.id)).json;
  assert.equal(now.version, before.version);
  assert.equal(now.state, 'reported');
  assert.equal(now.events.length, 1);
  // A refusal is on the audit trail.
  const audit = await api('admin', 'GET', `/api/v1/audit?object_id=${c.id}&outcome=case_rule`);
  assert.ok(audit.json.items.some((e) => e.action === 'case.handle_on_spot'), audit.text);
});

test('small cases are handled on the spot with evidence; a grid head assigns down; copies give sight', async () => {
  const small = await file('worker', { ...EVENT, category: 'sanitation.garbage' });
  assert.ok(small.actions.includes('handle_on_spot'));
  await assertError(await act('worker', small.id, 'handle_on_spot'), 400, 'missing_field', { field: 'note' });
  const up = await upload('worker', small.id, PNG, 'image/png', 'after.png');
  assert.equal(up.status, 201, up.text);
  let c = await ok('worker', small.id, 'handle_on_spot', { note: '已清运', attachments: [up.json.id] });
  assert.equal(c.state, 'closed');
  assert.equal(c.events[1].attachments[0].id, up.json.id);
  // An attachment is linked once.
  const other = await file('worker', { ...EVENT, category: 'sanitation.garbage' });
  await assertError(await act('worker', other.id, 'handle_on_spot', { note: 'x', attachments: [up.json.id] }), 400, 'invalid_field', { field: 'attachments' });
  assert.equal((await get('worker', other.id)).json.state, 'reported');

  // The community's head sends a community case down to a grid; the grid sees it.
  c = await file('head', { ...EVENT, area_code: 'cm1' });
  assert.equal(c.holder.area_code, 'cm1');
  await assertError(await get('worker2', c.id), 404, 'not_found');
  c = await ok('head', c.id, 'assign', { to: 'cg2' });
  assert.equal(c.holder.area_code, 'cg2');
  const w2 = await get('worker2', c.id);
  assert.equal(w2.status, 200, w2.text);
  assert.ok(w2.json.actions.includes('accept'));
  assert.ok(w2.json.actions.includes('send_back'));

  // Copy: the water department gets sight, not the case.
  c = await ok('centre', c.id, 'copy', { to: 'd-water' });
  assert.equal(c.holder.area_code, 'cg2');
  assert.deepEqual(c.copies.map((u) => u.department_code), ['d-water']);
  const wv = await get('water', c.id);
  assert.equal(wv.status, 200, wv.text);
  assert.deepEqual(wv.json.actions, []);
});

test('a request accepted by a unit is reported done and verified by it; a dispute needs its outcome', async () => {
  let r = await file('worker', { type: 'request', category: 'request.buy_for_me', area_code: 'cg1', title: '代买药品', contact_name: '王大妈', contact_phone: '13812345678' });
  // A grid worker sees the phone whole; the centre's role sees it masked.
  assert.equal(r.contact_phone, '13812345678');
  assert.equal((await get('centre', r.id)).json.contact_phone, '138****5678');
  await ok('worker', r.id, 'accept');
  await ok('worker', r.id, 'report_done', { note: '已送达' });
  r = await ok('worker', r.id, 'verify_pass');
  assert.equal(r.state, 'closed');

  let d = await file('worker', { type: 'dispute', category: 'dispute.neighbour', area_code: 'cg1', title: '噪音纠纷', parties: '张三；李四' });
  await ok('worker', d.id, 'accept');
  await assertError(await act('worker', d.id, 'report_done', { note: '调解' }), 400, 'missing_field', { field: 'outcome' });
  await assertError(await act('worker', d.id, 'report_done', { note: '调解', outcome: 'won' }), 400, 'invalid_field', { field: 'outcome' });
  await assertError(await act('worker', d.id, 'report_done', { note: '调解', outcome: 'agreed' }), 400, 'missing_field', { field: 'agreement' });
  d = await ok('worker', d.id, 'report_done', { note: '调解成功', outcome: 'agreed', agreement: '晚十点后不再施工', mediator: '赵调解员' });
  assert.equal(d.outcome, 'agreed');
  assert.equal(d.agreement, '晚十点后不再施工');
  assert.equal(d.mediator, '赵调解员');
});

test('merge closes a duplicate into another open case', async () => {
  const a = await file('worker', EVENT);
  const b = await file('worker', EVENT);
  const m = await ok('worker', b.id, 'merge', { into: a.id, note: '重复上报' });
  assert.equal(m.state, 'closed');
  assert.equal(m.merged_into, a.id);
  assert.equal(m.events.at(-1).into, a.id);
  // A merged case is not reopened, and nothing merges into a closed case.
  await assertError(await act('worker', b.id, 'reopen', { note: 'x' }), 409, 'case_rule');
  const c = await file('worker', EVENT);
  await assertError(await act('worker', c.id, 'merge', { into: b.id }), 409, 'case_rule');
});

test('the 409 race: of concurrent actions on one case, one wins and nothing else changes', async () => {
  for (let round = 0; round < 3; round++) {
    const c = await file('worker', EVENT);
    const tries = await Promise.all(['worker', 'head', 'commander', 'centre', 'worker', 'head'].map((who) =>
      act(who, c.id, 'accept', { version: c.version })));
    const won = tries.filter((r) => r.status === 200);
    assert.equal(won.length, 1, tries.map((r) => `${r.status} ${r.text}`).join('\n'));
    for (const r of tries.filter((x) => x.status !== 200)) await assertError(r, 409, 'case_version_conflict');
    const now = (await get('worker', c.id)).json;
    assert.equal(now.version, c.version + 1);
    assert.equal(now.events.filter((e) => e.action === 'accept').length, 1);
  }
  // Without a version, the loser meets the state the winner left.
  const c = await file('worker', EVENT);
  const tries = await Promise.all(['worker', 'centre', 'head'].map((who) => act(who, c.id, 'accept')));
  assert.equal(tries.filter((r) => r.status === 200).length, 1);
  for (const r of tries.filter((x) => x.status !== 200)) await assertError(r, 409, 'case_action_not_allowed');
});

test('photos: sniffed from the bytes, size-limited, served with their type only within sight', async () => {
  const c = await file('worker', EVENT);
  const up = await upload('worker', c.id, PNG, 'image/jpeg');
  assert.equal(up.status, 201, up.text);
  assert.equal(up.json.content_type, 'image/png');
  assert.equal(up.json.size, PNG.length);
  await assertError(await upload('worker', c.id, Buffer.from('<svg onload=alert(1)>')), 415, 'unsupported_image');
  const big = Buffer.concat([PNG, Buffer.alloc(PHOTO_MAX)]);
  await assertError(await upload('worker', c.id, big), 413, 'too_large');
  await assertError(await upload('worker2', c.id, PNG), 404, 'not_found');

  const res = await fetch(`${srv.url}${up.json.url}`, { headers: { authorization: `Bearer ${tok.worker}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
  await assertError(await api('worker2', 'GET', up.json.url), 404, 'not_found');
  await assertError(await api('fire', 'GET', up.json.url), 404, 'not_found');
  await assertError(await api('worker', 'GET', `/api/v1/cases/${c.id}/attachments/999999`), 404, 'not_found');
  const again = await get('worker', c.id);
  assert.deepEqual(again.json.attachments.map((x) => x.id), [up.json.id]);
});

test('lists: filters, my tasks, paging with total, and counts', async () => {
  const mine = await api('fire', 'GET', '/api/v1/cases?mine=1');
  assert.equal(mine.status, 200, mine.text);
  for (const x of mine.json.items) assert.equal(x.holder.department_code, 'd-fire');
  const all = await api('worker', 'GET', '/api/v1/cases?limit=2');
  assert.equal(all.json.items.length, 2);
  assert.ok(all.json.total > 2);
  assert.equal(all.json.next_offset, 2);
  const open = await api('worker', 'GET', '/api/v1/cases?state=open&limit=1000');
  for (const x of open.json.items) assert.notEqual(x.state, 'closed');
  const disputes = await api('worker', 'GET', '/api/v1/cases?type=dispute&limit=1000');
  assert.ok(disputes.json.items.length >= 1);
  for (const x of disputes.json.items) assert.equal(x.type, 'dispute');
  await assertError(await api('worker', 'GET', '/api/v1/cases?state=lost'), 400, 'invalid_field', { field: 'state' });
  await assertError(await api('worker', 'GET', '/api/v1/cases?area_code=cg2'), 404, 'not_found', { field: 'area_code' });
  const counts = await api('worker', 'GET', '/api/v1/case-counts');
  assert.equal(counts.status, 200, counts.text);
  const held = await api('worker', 'GET', '/api/v1/cases?mine=1&state=reported&limit=1000');
  assert.equal(counts.json.reported, held.json.items.filter((x) => x.holder.area_code === 'cg1').length);
});

test('the catalogue: the centre edits it, others read it; meta lists types, states, actions and categories', async () => {
  const cats = await api('worker', 'GET', '/api/v1/case-categories');
  assert.ok(cats.json.items.length >= 40);
  const domains = new Set(cats.json.items.map((x) => x.domain));
  for (const d of ['power', 'transport', 'water', 'environment', 'public_order', 'sanitation', 'natural_disaster',
    'market', 'health', 'civil_affairs', 'petition', 'emergency', 'request', 'dispute', 'suggestion']) assert.ok(domains.has(d), d);
  const one = cats.json.items.find((x) => x.code === 'power.outage');
  assert.equal(one.zh, '停电断电');
  assert.equal(one.accept_yellow, 2);
  assert.equal(one.finish_red, 10);
  await assertError(await api('worker', 'POST', '/api/v1/case-categories', { code: 'x.y', domain: 'water', zh: '甲', en: 'A' }), 403, 'forbidden');
  const made = await api('centre', 'POST', '/api/v1/case-categories', { code: 'water.well', domain: 'water', zh: '水井', en: 'Well', size: 'small' });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.accept_days, 2);
  await assertError(await api('centre', 'POST', '/api/v1/case-categories', { code: 'water.well', domain: 'water', zh: '水井', en: 'Well' }), 409, 'already_exists');
  await assertError(await api('centre', 'POST', '/api/v1/case-categories', { code: 'x.z', domain: 'moon', zh: '甲', en: 'A' }), 400, 'invalid_field', { field: 'domain' });
  const changed = await api('centre', 'PATCH', '/api/v1/case-categories/water.well', { finish_days: 3, active: false });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.finish_days, 3);
  assert.equal(changed.json.zh, '水井');
  await assertError(await api('worker', 'POST', '/api/v1/cases', { ...EVENT, category: 'water.well' }), 400, 'invalid_field', { field: 'category' });

  const meta = (await api('worker', 'GET', '/api/v1/meta')).json;
  assert.deepEqual(meta.case_states.map((s) => s.code), ['reported', 'handling', 'done', 'closed']);
  assert.deepEqual(meta.case_actions.map((a) => a.code), ['report', 'accept', 'handle_on_spot', 'escalate', 'assign',
    'send_back', 'report_done', 'verify_pass', 'verify_fail', 'copy', 'merge', 'reopen']);
  const dispute = meta.case_types.find((t) => t.code === 'dispute');
  assert.ok(dispute.required.includes('parties'));
  assert.equal(dispute.zh, '矛盾纠纷');
  const assign = meta.case_actions.find((a) => a.code === 'assign');
  assert.ok(assign.transitions.every((t) => t.permission === 'cases.dispatch' && t.required.includes('to')));
  assert.ok(meta.case_categories.some((x) => x.code === 'power.outage'));
  assert.ok(!meta.case_categories.some((x) => x.code === 'water.well'));
  // Every listed type files, an unlisted one is refused (the list is the server's own).
  for (const t of meta.case_types) {
    const body = { ...EVENT, type: t.code, parties: 'a；b', person_name: '王五', description: '描述' };
    const r = await api('worker', 'POST', '/api/v1/cases', body);
    assert.equal(r.status, 201, `${t.code}: ${r.text}`);
  }
});

test('the command line: show --json lists the operator\'s actions; a refused act exits non-zero and changes nothing', async () => {
  const c = await file('worker', EVENT);
  const env = cleanEnv();
  const show = await civgrid(['case', 'show', String(c.id), '--json', '--db', srv.db], { env });
  assert.equal(show.code, 0, show.stderr);
  const j = JSON.parse(show.stdout);
  assert.equal(j.id, c.id);
  assert.equal(j.type, 'event');
  assert.equal(j.state, 'reported');
  assert.deepEqual(j.actions.sort(), ['accept', 'assign', 'copy', 'escalate', 'merge']);
  const bad = await civgrid(['case', 'act', String(c.id), 'verify_pass', '--db', srv.db], { env });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /case_action_not_allowed/);
  const still = JSON.parse((await civgrid(['case', 'show', String(c.id), '--json', '--db', srv.db], { env })).stdout);
  assert.equal(still.version, j.version);
  const good = await civgrid(['case', 'act', String(c.id), 'assign', '--to', 'd-fire', '--note', '夜班派单', '--db', srv.db], { env });
  assert.equal(good.code, 0, good.stderr);
  const list = await civgrid(['case', 'list', '--state', 'reported', '--json', '--db', srv.db], { env });
  assert.equal(list.code, 0, list.stderr);
  const items = JSON.parse(list.stdout).items;
  assert.ok(items.some((x) => x.id === c.id && x.holder.department_code === 'd-fire'));
  for (const x of items) assert.equal(x.state, 'reported');
});
