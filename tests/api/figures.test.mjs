// The home page's figures (GET /api/v1/areas/{code}/figures): exact counts of
// a small fixture for the whole subtree and for each child area, the changes
// of the last seven days, and scope: a grid worker sees only its grid, an area
// outside the caller's scope answers 404, and ledgers are counted only for
// roles that read people.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, idNumber, sql, assertError, civgrid, cleanEnv } from './harness.mjs';

const PASSWORD = 'figures-test-pw';
let srv, admin;
const tokens = {};

async function api(method, path, token, body) {
  return request(srv.url, method, path, { body, headers: { authorization: `Bearer ${token}` } });
}

async function login(username) {
  const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username, password: PASSWORD } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

// c1 > t1 > g1, c1 > t2 > g2, and an outside county c2 > g3.
const AREAS = [
  { code: 'c1', level: 'county', name: '本县' },
  { code: 't1', parent_code: 'c1', level: 'town', name: '甲镇' },
  { code: 'g1', parent_code: 't1', level: 'grid', name: '甲网格' },
  { code: 't2', parent_code: 'c1', level: 'town', name: '乙镇' },
  { code: 'g2', parent_code: 't2', level: 'grid', name: '乙网格' },
  { code: 'c2', level: 'county', name: '外县' },
  { code: 'g3', parent_code: 'c2', level: 'grid', name: '外网格' },
];

// key: [area, type, ledgers]
const PEOPLE = {
  a: ['g1', 'permanent', ['party_member']],
  b: ['g1', 'floating', ['party_member', 'volunteer']],
  c: ['g1', 'permanent', []], // moves out this week
  d: ['g1', 'permanent', []], // corrected this week
  e: ['g2', 'floating', ['volunteer']],
  f: ['g2', 'permanent', []], // registered a month ago
  x: ['g3', 'floating', ['party_member']], // outside c1
};
const ids = {};
const idNo = {};

before(async () => {
  srv = await startServer();
  admin = (await request(srv.url, 'POST', '/api/v1/session',
    { body: { username: 'admin', password: srv.adminPassword } })).json.token;
  for (const a of AREAS) assert.equal((await api('POST', '/api/v1/areas', admin, a)).status, 201);
  for (const [username, role, scope] of [['fc', 'centre', 'c1'], ['fg', 'grid_worker', 'g1'],
    ['fd', 'department', 'c1']]) {
    const r = await api('POST', '/api/v1/users', admin, { username, role, scope, password: PASSWORD });
    assert.equal(r.status, 201, r.text);
    tokens[username] = await login(username);
  }
  let n = 0;
  for (const [key, [area, type, ledgers]] of Object.entries(PEOPLE)) {
    idNo[key] = idNumber(`1402211985010100${++n}`);
    const r = await api('POST', '/api/v1/residents', admin,
      { id_number: idNo[key], name: `居民${key}`, area_code: area, resident_type: type });
    assert.equal(r.status, 201, r.text);
    ids[key] = r.json.id;
    for (const l of ledgers) {
      assert.equal((await api('PUT', `/api/v1/residents/${ids[key]}/ledgers/${l}`, admin, {})).status, 204);
    }
  }
  let r = await api('PATCH', `/api/v1/residents/${ids.c}`, admin, { status: 'moved_out', note: '迁出' });
  assert.equal(r.status, 200, r.text);
  r = await api('PATCH', `/api/v1/residents/${ids.d}`, admin, { name: '居民丁' }); // a correction
  assert.equal(r.status, 200, r.text);
  // f was registered a month ago (and corrected then): neither counts this week.
  const old = `created_at - ${30 * 86400}`;
  await sql(srv.dbInfo, `UPDATE residents SET created_at = ${old} WHERE id = ${ids.f}`);
  // SQL by hand is a change behind civgrid's back: the counts are rebuilt.
  const rb = await civgrid(['figures', 'rebuild', '--db', srv.dbInfo.db], { env: cleanEnv() });
  assert.equal(rb.code, 0, rb.stderr);
});

after(async () => { await srv?.stop(); });

test('the centre of a county sees exact counts for the county and each town', async () => {
  const r = await api('GET', '/api/v1/areas/c1/figures', tokens.fc);
  assert.equal(r.status, 200, r.text);
  const f = r.json;
  assert.equal(f.area.code, 'c1');
  // Active residents a, b, d, e, f (c moved out); floating b and e.
  assert.equal(f.population, 5);
  assert.equal(f.floating, 2);
  assert.equal(f.ledgers.party_member, 2);
  assert.equal(f.ledgers.volunteer, 2);
  assert.equal(f.ledgers.student, 0);
  assert.deepEqual(f.ledger_list.find((l) => l.name === 'party_member').count, 2);
  assert.equal(f.ledger_list.length, Object.keys(f.ledgers).length);
  // Added this week: all but f (c counts: it was added, then moved out).
  assert.deepEqual({ added: f.week.added, moved_out: f.week.moved_out, corrected: f.week.corrected },
    { added: 5, moved_out: 1, corrected: 1 });
  // The week is today and the six days before, from local midnight (UTC+8).
  assert.equal((f.week.since + 8 * 3600) % 86400, 0);
  assert.ok(f.as_of - f.week.since > 6 * 86400 && f.as_of - f.week.since <= 7 * 86400);
  assert.equal(f.children_total, 2);
  assert.equal(f.children_truncated, false);
  const [t1, t2] = f.children;
  assert.deepEqual([t1.code, t1.name, t1.level, t1.population, t1.floating], ['t1', '甲镇', 'town', 3, 1]);
  assert.deepEqual([t2.code, t2.population, t2.floating], ['t2', 2, 1]);
  assert.equal(t1.ledgers.party_member, 2);
  assert.equal(t1.ledgers.volunteer, 1);
  assert.equal(t2.ledgers.party_member, 0);
  assert.equal(t2.ledgers.volunteer, 1);
  // Counts only: no name, ID number or phone of anyone.
  for (const key of Object.keys(PEOPLE)) {
    assert.ok(!r.text.includes(idNo[key]), 'no ID number');
    assert.ok(!r.text.includes(`居民${key}`), 'no name');
  }
});

test('a ledger entry that has ended is not counted', async () => {
  let r = await api('PUT', `/api/v1/residents/${ids.a}/ledgers/party_member`, admin,
    { start_date: '2020-01-01', end_date: '2021-01-01' });
  assert.equal(r.status, 204, r.text);
  r = await api('GET', '/api/v1/areas/t1/figures', tokens.fc);
  assert.equal(r.json.ledgers.party_member, 1);
  assert.equal(r.json.children[0].ledgers.party_member, 1);
  r = await api('PUT', `/api/v1/residents/${ids.a}/ledgers/party_member`, admin, { end_date: null });
  assert.equal(r.status, 204, r.text);
});

test('a grid worker sees only its grid', async () => {
  let r = await api('GET', '/api/v1/areas/g1/figures', tokens.fg);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.population, 3);
  assert.equal(r.json.floating, 1);
  assert.deepEqual(r.json.week, { since: r.json.week.since, added: 4, moved_out: 1, corrected: 1 });
  assert.deepEqual(r.json.children, []);
  for (const code of ['c1', 't1', 'g2', 'g3']) {
    await assertError(await api('GET', `/api/v1/areas/${code}/figures`, tokens.fg), 404, 'not_found');
  }
  await assertError(await api('GET', '/api/v1/areas/g3/figures', tokens.fc), 404, 'not_found');
});

test('a role that reads areas but not people gets the figures without ledgers', async () => {
  const r = await api('GET', '/api/v1/areas/c1/figures', tokens.fd);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.population, 5);
  assert.equal(r.json.children[0].population, 3);
  assert.deepEqual(r.json.ledgers, {});
  assert.deepEqual(r.json.ledger_list, []);
  assert.deepEqual(r.json.children[0].ledgers, {});
  await assertError(await api('GET', '/api/v1/areas/c2/figures', tokens.fd), 404, 'not_found');
});

test('the whole city: the outside county counts at the root only', async () => {
  const r = await api('GET', '/api/v1/areas/c2/figures', admin);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.population, 1);
  assert.equal(r.json.children[0].code, 'g3');
  assert.equal(r.json.children[0].ledgers.party_member, 1);
  const me = (await api('GET', '/api/v1/me', admin)).json.user;
  const root = await api('GET', `/api/v1/areas/${me.scope.code}/figures`, admin);
  assert.equal(root.json.population, 6);
  assert.equal(root.json.floating, 3);
});
