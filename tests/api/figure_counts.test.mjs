// The figure counts (lib/counts.c) stay exact whichever door writes: after
// registrations, ledger tags and untags, corrections that move people, change
// their type or household, moves out and back, CSV imports through the API and
// the command line, staff assigned and ended, a building retired and brought back, and
// an area moved to another parent, the home's figures and the card's counts of every area equal a
// fresh COUNT(*) of the database; and `civgrid figures rebuild` gives the very
// rows the writes kept (also after `civgrid demo`). The ledger catalogue's
// counts and the counts per child area read the same counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, makeDb, request, idNumber, sql, civgrid, cleanEnv } from './harness.mjs';

let srv, admin;

async function api(method, urlPath, body, headers = {}) {
  return request(srv.url, method, urlPath, { body, headers: { authorization: `Bearer ${admin}`, ...headers } });
}

// c1 > t1 > g1 > b1, b2, b5 (empty); c1 > t2 > g2 > b3; c2 > g3 > b4.
const AREAS = [
  ['c1', null, 'county'], ['t1', 'c1', 'town'], ['g1', 't1', 'grid'], ['b1', 'g1', 'building'],
  ['b2', 'g1', 'building'], ['t2', 'c1', 'town'], ['g2', 't2', 'grid'], ['b3', 'g2', 'building'],
  ['c2', null, 'county'], ['g3', 'c2', 'grid'], ['b4', 'g3', 'building'], ['b5', 'g1', 'building'],
];
const CODES = ['000000', ...AREAS.map(([code]) => code)];
const LEDGERS = ['party_member', 'volunteer', 'student'];
const POSITIONS = ['grid_worker', 'building_head'];

// Today in Asia/Shanghai, as the server judges end dates.
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const sub = (alias) => `${alias}.area_path >= a.path AND ${alias}.area_path < a.path || '~'`;

/** A fresh count of the subtree at code, straight from the tables. */
async function fresh(db, code) {
  const a = `(SELECT path FROM areas WHERE code = '${code}')`;
  const cols = [
    `SELECT COUNT(*) FROM residents r WHERE ${sub('r')} AND r.status = 'active'`,
    `SELECT COUNT(*) FROM residents r WHERE ${sub('r')} AND r.status = 'active' AND r.resident_type = 'floating'`,
    `SELECT COUNT(DISTINCT CAST(r.area_id AS TEXT) || '/' || r.household) FROM residents r WHERE ${sub('r')} AND r.status = 'active'`,
    ...LEDGERS.map((l) => `SELECT COUNT(*) FROM residents r JOIN ledger_entries e ON e.resident_id = r.id
      JOIN ledgers l ON l.id = e.ledger_id WHERE ${sub('r')} AND r.status = 'active' AND l.name = '${l}'
      AND (e.end_date IS NULL OR e.end_date >= '${today}')`),
    ...['building', 'grid'].map((l) => `SELECT COUNT(*) FROM areas x WHERE x.path >= a.path AND x.path < a.path || '~'
      AND x.level = '${l}' AND x.status = 'active'`),
    ...POSITIONS.map((p) => `SELECT COUNT(*) FROM staff_assignments s JOIN areas x ON x.id = s.area_id
      WHERE x.path >= a.path AND x.path < a.path || '~' AND s.position = '${p}'
      AND (s.end_date IS NULL OR s.end_date > '${today}')`),
  ];
  const q = `SELECT ${cols.map((c) => `(${c.replace(/\s+/g, ' ')})`).join(', ')} FROM (SELECT ${a} AS path) a`;
  const [population, floating, households, ...rest] = (await sql(db, q)).split('|').map(Number);
  const ledgers = Object.fromEntries(LEDGERS.map((l, i) => [l, rest[i]]));
  const [buildings, grids] = rest.slice(LEDGERS.length);
  const staff = Object.fromEntries(POSITIONS.map((p, i) => [p, rest[LEDGERS.length + 2 + i]]));
  return { population, floating, households, buildings, grids, ledgers, staff };
}

/** What the server shows for code: the home's figures and the card's counts. */
async function shown(code) {
  const f = await api('GET', `/api/v1/areas/${code}/figures`);
  assert.equal(f.status, 200, f.text);
  const c = await api('GET', `/api/v1/areas/${code}/card`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.figures.residents, f.json.population, `${code}: card and home agree`);
  assert.equal(c.json.figures.floating, f.json.floating, `${code}: card and home agree`);
  // The ledger catalogue and the per-child counts are the same counts.
  const list = await api('GET', `/api/v1/ledgers?area=${code}`);
  assert.equal(list.status, 200, list.text);
  for (const l of LEDGERS) {
    assert.equal(list.json.items.find((x) => x.name === l).count, f.json.ledgers[l], `${code}: ledger list ${l}`);
    const per = await api('GET', `/api/v1/ledgers/${l}/counts?area=${code}`);
    assert.equal(per.status, 200, per.text);
    assert.deepEqual(per.json.items.map((x) => [x.code, x.count]), f.json.children.map((k) => [k.code, k.ledgers[l]]),
      `${code}: ${l} per child`);
  }
  return {
    population: f.json.population,
    floating: f.json.floating,
    households: c.json.figures.households,
    buildings: c.json.figures.buildings,
    grids: c.json.figures.grids,
    ledgers: Object.fromEntries(LEDGERS.map((l) => [l, f.json.ledgers[l]])),
    staff: Object.fromEntries(POSITIONS.map((p) => [p, c.json.figures.staff[p]])),
    children: f.json.children.map((k) => [k.code, k.population, k.floating, ...LEDGERS.map((l) => k.ledgers[l])]),
  };
}

/** Every area's figures equal a fresh count, and so do its children's. */
async function assertExact(step) {
  const counted = {};
  for (const code of CODES) counted[code] = await fresh(srv.dbInfo, code);
  for (const code of CODES) {
    const got = await shown(code);
    const { children, ...whole } = got;
    assert.deepEqual(whole, counted[code], `${step}: ${code}`);
    for (const [kid, population, floating, ...ledgers] of children) {
      const want = counted[kid];
      assert.deepEqual([population, floating, ...ledgers], [want.population, want.floating, ...LEDGERS.map((l) => want.ledgers[l])],
        `${step}: ${code}'s child ${kid}`);
    }
  }
}

// The rows that can still be read (as lib/counts.c's alive()), every column.
const LIVE = `SELECT a.code, c.what, c.until_day, c.own, c.n FROM figure_counts c JOIN areas a ON a.id = c.area_id
  WHERE (c.own <> 0 OR c.n <> 0) AND (c.until_day = '' OR c.what = 'added'
  OR (c.what LIKE 'ledger:%' AND c.until_day >= '${today}') OR (c.what LIKE 'staff:%' AND c.until_day > '${today}'))
  ORDER BY a.code, c.what, c.until_day`.replace(/\s+/g, ' ');

/** The counts the writes kept are the counts a rebuild makes. */
async function assertRebuildSame(db) {
  const kept = await sql(db, LIVE);
  const r = await civgrid(['figures', 'rebuild', '--db', db.db], { env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /figure counts rebuilt/);
  assert.equal(await sql(db, LIVE), kept);
  return kept;
}

let n = 0;
const nextId = () => idNumber(`14022119900101${String(100 + ++n)}`);

before(async () => {
  srv = await startServer();
  admin = (await request(srv.url, 'POST', '/api/v1/session',
    { body: { username: 'admin', password: srv.adminPassword } })).json.token;
  for (const [code, parent, level] of AREAS) {
    const body = { code, level, name: `区${code}` };
    if (parent) body.parent_code = parent;
    const r = await api('POST', '/api/v1/areas', body);
    assert.equal(r.status, 201, r.text);
  }
});

after(async () => { await srv?.stop(); });

const people = {};

test('registrations and ledger tags through the API', async () => {
  const plan = [
    ['p1', 'b1', 'permanent', 'h1'], ['p2', 'b1', 'floating', 'h1'], ['p3', 'b2', 'permanent', 'h2'],
    ['p4', 'b3', 'floating', null], ['p5', 'b4', 'permanent', 'h9'], ['p6', 'g1', 'permanent', 'h1'],
  ];
  for (const [key, area, type, household] of plan) {
    const body = { id_number: nextId(), name: `居民${key}`, area_code: area, resident_type: type };
    if (household) body.household = household;
    const r = await api('POST', '/api/v1/residents', body);
    assert.equal(r.status, 201, r.text);
    people[key] = r.json.id;
  }
  for (const [key, ledger] of [['p1', 'party_member'], ['p2', 'volunteer'], ['p3', 'party_member'],
    ['p4', 'student'], ['p5', 'volunteer'], ['p6', 'volunteer']]) {
    const r = await api('PUT', `/api/v1/residents/${people[key]}/ledgers/${ledger}`, {});
    assert.equal(r.status, 204, r.text);
  }
  await assertExact('registered');
});

test('ledger entries ended, given an end date ahead, and removed', async () => {
  let r = await api('PUT', `/api/v1/residents/${people.p1}/ledgers/party_member`, { start_date: '2020-01-01', end_date: '2021-01-01' });
  assert.equal(r.status, 204, r.text);
  r = await api('PUT', `/api/v1/residents/${people.p3}/ledgers/party_member`, { end_date: '2099-12-31' });
  assert.equal(r.status, 204, r.text);
  r = await api('DELETE', `/api/v1/residents/${people.p2}/ledgers/volunteer`);
  assert.equal(r.status, 204, r.text);
  await assertExact('ledgers changed');
});

test('corrections that move a person, change the type and the household', async () => {
  let r = await api('PATCH', `/api/v1/residents/${people.p1}`, { area_code: 'b3' });
  assert.equal(r.status, 200, r.text);
  r = await api('PATCH', `/api/v1/residents/${people.p3}`, { resident_type: 'floating', household: 'h1' });
  assert.equal(r.status, 200, r.text);
  r = await api('PATCH', `/api/v1/residents/${people.p5}`, { area_code: 'b2', household: 'h2' });
  assert.equal(r.status, 200, r.text);
  await assertExact('corrected');
});

test('moves out, back in, and deaths', async () => {
  let r = await api('PATCH', `/api/v1/residents/${people.p2}`, { status: 'moved_out' });
  assert.equal(r.status, 200, r.text);
  r = await api('PATCH', `/api/v1/residents/${people.p6}`, { status: 'deceased' });
  assert.equal(r.status, 200, r.text);
  await assertExact('moved out');
  r = await api('PATCH', `/api/v1/residents/${people.p2}`, { status: 'active' });
  assert.equal(r.status, 200, r.text);
  await assertExact('back in');
});

test('CSV imports through the API and the command line, new rows and updates', async () => {
  const head = 'id_number,name,area_code,household,resident_type,tags\n';
  const rows = [];
  for (let i = 0; i < 6; i++) {
    rows.push(`${nextId()},导入${i},${['b1', 'b2', 'b3', 'b4', 'g2', 'b1'][i]},h${i % 3},${i % 2 ? 'floating' : 'permanent'},${i % 3 ? '党员' : '志愿者;学生'}`);
  }
  let r = await api('POST', '/api/v1/import/residents', head + rows.join('\n') + '\n', { 'content-type': 'text/csv; charset=utf-8' });
  assert.equal(r.status, 200, r.text);
  await assertExact('API import');
  // The command line updates two of them (moved, retyped) and adds one.
  const [id0] = rows[0].split(',');
  const [id1] = rows[1].split(',');
  const file = path.join(srv.dbInfo.dir, 'update.csv');
  writeFileSync(file, `${head}${id0},导入0,b4,h7,floating,学生\n${id1},导入1,b1,h1,permanent,党员\n${nextId()},新人,b3,,permanent,\n`);
  const c = await civgrid(['import', 'residents', file, '--db', srv.dbInfo.db], { env: cleanEnv() });
  assert.equal(c.code, 0, c.stderr + c.stdout);
  await assertExact('command-line import');
});

test('staff assigned and ended', async () => {
  const ids = [];
  for (const [area, position] of [['g1', 'grid_worker'], ['b1', 'building_head'], ['b3', 'building_head'], ['g3', 'grid_worker']]) {
    const r = await api('POST', '/api/v1/staff', { area_code: area, position, name: `员工${area}` });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  await assertExact('staff assigned');
  const r = await api('DELETE', `/api/v1/staff/${ids[1]}`);
  assert.ok([200, 204].includes(r.status), r.text);
  await assertExact('staff ended');
});

test('an area moved to another parent takes its counts along', async () => {
  let r = await api('PATCH', '/api/v1/areas/g2', { parent_code: 't1' });
  assert.equal(r.status, 200, r.text);
  await assertExact('g2 moved under t1');
  r = await api('PATCH', '/api/v1/areas/g3', { parent_code: 't2' });
  assert.equal(r.status, 200, r.text);
  await assertExact('g3 moved to the other county');
});

test('a building retired and brought back', async () => {
  let r = await api('PATCH', '/api/v1/areas/b5', { status: 'retired' });
  assert.equal(r.status, 200, r.text);
  await assertExact('b5 retired');
  r = await api('PATCH', '/api/v1/areas/b5', { status: 'active' });
  assert.equal(r.status, 200, r.text);
  await assertExact('b5 active again');
});

test('a rebuild from scratch gives the rows the writes kept', async () => {
  const kept = await assertRebuildSame(srv.dbInfo);
  assert.ok(kept.split('\n').length > 20, kept);
  await assertExact('rebuilt');
});

test('the demo city keeps its counts as it is built', async () => {
  const db = await makeDb();
  try {
    const r = await civgrid(['demo', '--db', db.db, '--residents', '3000'], { env: cleanEnv(), timeoutMs: 120000 });
    assert.equal(r.code, 0, r.stderr);
    const kept = await assertRebuildSame(db);
    assert.ok(kept.includes('|residents||'), 'the demo has residents counted');
  } finally {
    await db.drop();
  }
});
