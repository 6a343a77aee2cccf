// Area cards at every level (issue 9, finding 3): counts are exact, a city,
// county or town card leads with its child areas and their figures, then its
// people by position, and each position's full list pages through
// GET /api/v1/areas/{code}/staff within the caller's scope. The data is the
// demo city (5,787 areas, 4,239 buildings, 4,023 staff assignments).
// Each test names what it proves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { civgrid, cleanEnv, makeDb, sql, startServer, request } from './harness.mjs';

let db, srv;
const tokens = {};
const count = async (q) => Number(await sql(db, q));
const under = (code) => `(SELECT path FROM areas WHERE code = '${code}')`;
const inTree = (col, code) => `substr(${col}, 1, length(${under(code)})) = ${under(code)}`;
const ACTIVE = "(s.end_date IS NULL OR s.end_date > '9999')";

async function get(user, urlPath) {
  return request(srv.url, 'GET', urlPath, { headers: { authorization: `Bearer ${tokens[user]}` } });
}

/** The figures SQL counts independently of the server, for the tree at code. */
async function expected(code) {
  const staff = {};
  for (const p of ['commander', 'grid_head', 'grid_worker', 'assistant', 'building_head', 'street_head']) {
    staff[p] = await count(`SELECT COUNT(*) FROM staff_assignments s JOIN areas a ON a.id = s.area_id
      WHERE ${inTree('a.path', code)} AND s.position = '${p}' AND ${ACTIVE}`);
  }
  return {
    residents: await count(`SELECT COUNT(*) FROM residents WHERE status = 'active' AND ${inTree('area_path', code)}`),
    floating: await count(`SELECT COUNT(*) FROM residents WHERE status = 'active' AND resident_type = 'floating'
      AND ${inTree('area_path', code)}`),
    buildings: await count(`SELECT COUNT(*) FROM areas WHERE level = 'building' AND status = 'active' AND ${inTree('path', code)}`),
    grids: await count(`SELECT COUNT(*) FROM areas WHERE level = 'grid' AND status = 'active' AND ${inTree('path', code)}`),
    staff,
  };
}

function pick(f) {
  return { residents: f.residents, floating: f.floating, buildings: f.buildings, grids: f.grids, staff: f.staff };
}

before(async () => {
  db = await makeDb({ init: false });
  const out = await civgrid(['demo', '--db', db.db, '--residents', '2000', '--seed', '5'], { env: cleanEnv(), timeoutMs: 120000 });
  assert.equal(out.code, 0, out.stderr);
  const password = /password for all: (\S+)\)/.exec(out.stdout)[1];
  const adminPassword = /^ {2}admin\s.*password: (\S+)$/m.exec(out.stdout)[1];
  srv = await startServer({ db: { ...db, adminPassword, drop: async () => {} } });
  for (const [user, pw] of [['admin', adminPassword], ['grid_worker', password], ['centre_yanggao', password]]) {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: user, password: pw } });
    assert.equal(r.status, 200, r.text);
    tokens[user] = r.json.token;
  }
});

after(async () => {
  await srv?.stop();
  await db?.drop();
});

// Proves: a city card with thousands of buildings and staff counts them all
// exactly, leads with its child areas (each with exact figures), and lists
// commanders, grid heads and grid workers in groups by position with their
// exact totals and the first few of each.
test('a city card counts everything exactly and lists every kind of staff', async () => {
  const t0 = Date.now();
  const r = await get('admin', '/api/v1/areas/140200/card');
  const took = Date.now() - t0;
  assert.equal(r.status, 200, r.text);
  const card = r.json;
  const want = await expected('140200');
  assert.ok(want.buildings > 1000 && Object.values(want.staff).reduce((a, b) => a + b) > 200, 'the city is big enough');
  assert.equal(card.overview, true);
  assert.deepEqual(pick(card.figures), want);
  assert.equal(card.buildings_total, want.buildings);
  assert.equal(card.residents, want.residents);
  // The child areas lead, each with its own exact figures.
  const kids = (await sql(db, "SELECT code FROM areas WHERE parent_id = (SELECT id FROM areas WHERE code = '140200') ORDER BY code")).split('\n');
  assert.deepEqual(card.children.map((c) => c.code), kids);
  assert.equal(card.children_total, kids.length);
  assert.equal(card.children_truncated, false);
  const yanggao = card.children.find((c) => c.code === '140221');
  assert.equal(yanggao.level, 'county');
  assert.deepEqual(pick(yanggao.figures), await expected('140221'));
  assert.equal(card.children.reduce((n, c) => n + c.figures.buildings, 0), want.buildings);
  // The people by position: every group's total is exact; the first few are listed.
  const groups = Object.fromEntries(card.staff.map((g) => [g.position, g]));
  for (const p of ['commander', 'grid_head', 'grid_worker']) {
    assert.ok(groups[p].total > 0, `the city has ${p}s`);
    assert.equal(groups[p].total, want.staff[p]);
    assert.ok(groups[p].items.length > 0 && groups[p].items.length <= 5, `${p}: ${groups[p].items.length} listed`);
    assert.equal(groups[p].truncated, groups[p].items.length < groups[p].total);
    for (const s of groups[p].items) assert.equal(s.position, p);
  }
  assert.equal(groups.grid_worker.truncated, true);
  assert.equal(card.buildings.length, 0, 'a city card counts its buildings instead of listing them');
  assert.ok(took < 5000, `the city card took ${took} ms`);
});

// Proves: paging a position's staff returns every assignment of the area and
// below exactly once, in a stable order, with the total on every page.
test('the staff of a position pages through every assignment', async () => {
  const want = await count(`SELECT COUNT(*) FROM staff_assignments s JOIN areas a ON a.id = s.area_id
    WHERE ${inTree('a.path', '140221')} AND s.position = 'grid_worker' AND ${ACTIVE}`);
  assert.ok(want > 200, `${want} grid workers in the county`);
  const seen = new Set();
  for (let offset = 0; ; offset += 200) {
    const r = await get('centre_yanggao', `/api/v1/areas/140221/staff?position=grid_worker&offset=${offset}&limit=200`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, want);
    for (const s of r.json.items) {
      assert.equal(s.position, 'grid_worker');
      assert.ok(s.area.code.startsWith('140221'), s.area.code);
      assert.ok(!seen.has(s.id), `assignment ${s.id} twice`);
      seen.add(s.id);
    }
    if (r.json.items.length < 200) break;
  }
  assert.equal(seen.size, want);
  const all = await get('centre_yanggao', '/api/v1/areas/140221/staff?limit=1');
  assert.equal(all.json.total, await count(`SELECT COUNT(*) FROM staff_assignments s JOIN areas a ON a.id = s.area_id
    WHERE ${inTree('a.path', '140221')} AND ${ACTIVE}`), 'without a position: every position');
  const bad = await get('centre_yanggao', '/api/v1/areas/140221/staff?position=mayor');
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.field, 'position');
});

// Proves: a grid worker pages only its own grid's staff: a county (above its
// grid) answers 404 exactly like an unknown area.
test('a grid worker cannot page staff beyond its scope', async () => {
  const grid = await sql(db, "SELECT a.code FROM users u JOIN areas a ON a.id = u.area_id WHERE u.username = 'grid_worker'");
  assert.equal((await get('grid_worker', '/api/v1/areas/140221/staff?position=grid_worker')).status, 404);
  assert.equal((await get('grid_worker', '/api/v1/areas/140200/staff')).status, 404);
  assert.equal((await get('grid_worker', '/api/v1/areas/nosuch/staff')).status, 404);
  const mine = await get('grid_worker', `/api/v1/areas/${grid}/staff?limit=200`);
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.json.total > 0);
  for (const s of mine.json.items) assert.ok(s.area.code.startsWith(grid), s.area.code);
  // A grid card lists its people directly and the chain above it.
  const card = await get('grid_worker', `/api/v1/areas/${grid}/card`);
  assert.equal(card.json.overview, false);
  assert.ok(card.json.chain.some((s) => s.position === 'commander'), 'the commander above the grid');
  const workers = card.json.staff.find((g) => g.position === 'grid_worker');
  assert.equal(workers.items.length, workers.total);
});
