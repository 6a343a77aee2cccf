// The demo city (civgrid demo) through the real binary, on the backend the
// harness names: the same seed gives the same residents and a different seed
// different ones; the tree has Datong's ten districts and counties, Yanggao's
// 11 towns and 521 grids, Xinrong's 175 grids and 112 villages; every ID number
// is valid; the seed venues and 84 checkpoints are there; the printed logins
// work against `civgrid serve` and a grid worker sees only its own grid's
// residents; a database that already holds data is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { civgrid, cleanEnv, makeDb, sql, startServer, request, BACKEND } from './harness.mjs';

const RESIDENTS = 2000;
const dbs = [];
let first, second, out1, out2;

async function demo(db, seed, residents = RESIDENTS) {
  return civgrid(['demo', '--db', db.db, '--residents', String(residents), '--seed', String(seed)],
    { env: cleanEnv(), timeoutMs: 120000 });
}

async function fresh() {
  const db = await makeDb({ init: false });
  dbs.push(db);
  return db;
}

/** The digest of every resident (and their ledgers) in a database. */
async function digest(db) {
  const people = await sql(db, `SELECT r.id_number, r.name, r.sex, r.birth_date, COALESCE(r.phone, ''),
    r.household, COALESCE(r.unit, ''), r.room, r.resident_type, a.code
    FROM residents r JOIN areas a ON a.id = r.area_id ORDER BY r.id_number`);
  const tags = await sql(db, `SELECT r.id_number, l.name FROM ledger_entries e
    JOIN residents r ON r.id = e.resident_id JOIN ledgers l ON l.id = e.ledger_id ORDER BY r.id_number, l.name`);
  return createHash('sha256').update(people).update('\n--\n').update(tags).digest('hex');
}

const count = async (db, q) => Number(await sql(db, q));

/** The "demo logins" block: [{username, role, scope}], and the shared password. */
function parseLogins(stdout) {
  const m = /demo logins \(password for all: (\S+)\):\n((?: {2}.*\n)+)/.exec(stdout);
  assert.ok(m, `no "demo logins" block in:\n${stdout}`);
  const logins = m[2].trimEnd().split('\n').map((line) => {
    const [username, role, scope] = line.trim().split(/\s+/);
    return { username, role, scope };
  });
  const admin = /^ {2}admin\s.*password: (\S+)$/m.exec(stdout);
  return { password: m[1], logins, adminPassword: admin?.[1] };
}

before(async () => {
  first = await fresh();
  second = await fresh();
  [out1, out2] = await Promise.all([demo(first, 7), demo(second, 7)]);
  assert.equal(out1.code, 0, `demo exited ${out1.code}\n${out1.stdout}\n${out1.stderr}`);
  assert.equal(out2.code, 0, `demo exited ${out2.code}\n${out2.stdout}\n${out2.stderr}`);
});

after(async () => {
  for (const db of dbs) await db.drop();
});

test(`the same seed gives the same residents, another seed others (${BACKEND})`, async () => {
  assert.equal(await count(first, 'SELECT COUNT(*) FROM residents'), RESIDENTS);
  const d1 = await digest(first);
  assert.equal(await digest(second), d1, 'two runs with --seed 7 differ');
  const areas = 'SELECT code, name, level FROM areas ORDER BY code';
  assert.equal(await sql(second, areas), await sql(first, areas), 'the trees differ');
  const other = await fresh();
  const r = await demo(other, 8);
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual(await digest(other), d1, '--seed 8 made the same residents as --seed 7');
  // The passwords are the one thing that is random.
  assert.notEqual(parseLogins(r.stdout).password, parseLogins(out1.stdout).password);
});

test('the tree: Datong, its ten districts and counties, Yanggao and Xinrong as the sources say', async () => {
  const root = await sql(first, 'SELECT code, name, level FROM areas WHERE parent_id IS NULL');
  assert.equal(root, '140200|大同市|city');
  const counties = (await sql(first, `SELECT a.code, a.name FROM areas a JOIN areas p ON p.id = a.parent_id
    WHERE p.code = '140200' AND a.level = 'county' ORDER BY a.code`)).split('\n');
  assert.deepEqual(counties, ['140212|新荣区', '140213|平城区', '140214|云冈区', '140215|云州区', '140221|阳高县',
    '140222|天镇县', '140223|广灵县', '140224|灵丘县', '140225|浑源县', '140226|左云县']);
  const towns = (await sql(first, `SELECT a.name FROM areas a JOIN areas p ON p.id = a.parent_id
    WHERE p.code = '140221' AND a.level = 'town' ORDER BY a.code`)).split('\n').sort();
  assert.deepEqual(towns, ['龙泉镇', '罗文皂镇', '大白登镇', '古城镇', '东小村镇', '狮子屯乡', '友宰镇', '王官屯镇',
    '马家皂乡', '长城乡', '下深井乡'].sort());
  const under = (code, level) => `SELECT COUNT(*) FROM areas WHERE level = '${level}'
    AND path LIKE (SELECT path FROM areas WHERE code = '${code}') || '%'`;
  assert.equal(await count(first, under('140221', 'grid')), 521);
  assert.equal(await count(first, under('140212', 'grid')), 175);
  assert.equal(await count(first, under('140212', 'community') + " AND name LIKE '%村'"), 112);
  // Every grid has a handful of buildings; every resident lives in a building.
  assert.equal(await count(first, `SELECT COUNT(*) FROM areas g WHERE g.level = 'grid'
    AND (SELECT COUNT(*) FROM areas b WHERE b.parent_id = g.id AND b.level = 'building') NOT BETWEEN 3 AND 8`), 0);
  assert.equal(await count(first, `SELECT COUNT(*) FROM residents r JOIN areas a ON a.id = r.area_id
    WHERE a.level <> 'building'`), 0);
  // Each resident's copy of its area's path is right (scope depends on it).
  assert.equal(await count(first, `SELECT COUNT(*) FROM residents r JOIN areas a ON a.id = r.area_id
    WHERE r.area_path <> a.path`), 0);
  assert.equal(await sql(first, "SELECT name FROM areas WHERE code = '140214001001'"), '南三路社区');
  assert.equal(await sql(first, "SELECT name FROM areas WHERE code = '140213003001'"), '福安里社区');
});

test('every ID number is valid and agrees with sex and birth date; a tenth float', async () => {
  const rows = (await sql(first, 'SELECT id_number, sex, birth_date, resident_type, COALESCE(phone, \'\') FROM residents')).split('\n');
  assert.equal(rows.length, RESIDENTS);
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let floating = 0;
  for (const row of rows) {
    const [id, sex, birth, type, phone] = row.split('|');
    assert.match(id, /^\d{17}[\dX]$/, id);
    const sum = [...id.slice(0, 17)].reduce((acc, d, i) => acc + Number(d) * w[i], 0);
    assert.equal(id[17], '10X98765432'[sum % 11], `check digit of ${id}`);
    assert.equal(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, birth, id);
    assert.equal(Number(id[16]) % 2 ? 'M' : 'F', sex, id);
    assert.ok(birth <= '2022-11-22' && birth >= '1920-01-01', `birth date ${birth}`);
    if (type === 'floating') floating++;
    else assert.ok(/^1402(1[2-5]|2[1-6])$/.test(id.slice(0, 6)), `a permanent resident registered elsewhere: ${id}`);
    if (phone) assert.match(phone, /^1[3-9]\d{9}$/);
  }
  assert.ok(floating > RESIDENTS * 0.06 && floating < RESIDENTS * 0.14, `${floating} floating of ${RESIDENTS}`);
  const party = await count(first, `SELECT COUNT(*) FROM ledger_entries e JOIN ledgers l ON l.id = e.ledger_id
    WHERE l.name = 'party_member'`);
  assert.ok(party > RESIDENTS * 0.05 && party < RESIDENTS * 0.09, `${party} party members of ${RESIDENTS}`);
  for (const ledger of ['student', 'truck_driver', 'professional', 'special_needs', 'volunteer']) {
    const n = await count(first, `SELECT COUNT(*) FROM ledger_entries e JOIN ledgers l ON l.id = e.ledger_id WHERE l.name = '${ledger}'`);
    assert.ok(n > 0, `nobody on the ${ledger} ledger`);
  }
});

test('staff chains, departments, venues, checkpoints and risk points', async () => {
  const yanggao = "(SELECT path FROM areas WHERE code = '140221') || '%'";
  const staff = async (position) => count(first, `SELECT COUNT(*) FROM staff_assignments s JOIN areas a
    ON a.id = s.area_id WHERE s.position = '${position}' AND a.path LIKE ${yanggao}`);
  assert.equal(await staff('grid_worker'), 664);
  assert.equal(await staff('assistant'), 100);
  assert.equal(await staff('commander'), 11);
  assert.ok(await staff('building_head') > 0 && await staff('street_head') > 0);
  // Every grid has a grid worker; every community and village a grid head.
  assert.equal(await count(first, `SELECT COUNT(*) FROM areas g WHERE g.level = 'grid' AND NOT EXISTS
    (SELECT 1 FROM staff_assignments s WHERE s.area_id = g.id AND s.position = 'grid_worker')`), 0);
  assert.equal(await count(first, `SELECT COUNT(*) FROM areas c WHERE c.level = 'community' AND NOT EXISTS
    (SELECT 1 FROM staff_assignments s WHERE s.area_id = c.id AND s.position = 'grid_head')`), 0);
  assert.equal(await count(first, 'SELECT COUNT(*) FROM departments'), 11 * 11);
  assert.equal(await sql(first, "SELECT name FROM departments WHERE code = '140221-health'"), '阳高县卫生健康局');
  const venues = (await sql(first, `SELECT p.name, p.type FROM places p WHERE p.area_path LIKE
    (SELECT path FROM areas WHERE code = '140214') || '%' AND p.code LIKE 'yg-%' ORDER BY p.code`)).split('\n').sort();
  assert.deepEqual(venues, ['万品隆超市红星美凯龙店|supermarket', '佳家玛南环店|supermarket', '南三路小区广场采样点|sampling_point',
    '康尔福大药房向阳街门店|pharmacy', '薛氏菜业前60米地摊|stall'].sort());
  assert.equal(await count(first, "SELECT COUNT(*) FROM places WHERE code LIKE 'CK%' AND type = 'station'"), 84);
  assert.equal(await count(first, "SELECT COUNT(DISTINCT name) FROM places WHERE code LIKE 'CK%'"), 84);
  assert.equal(await sql(first, "SELECT name FROM places WHERE code = 'CK140221-01'"), 'G55二广高速阳高收费站卡口');
  const risks = (await sql(first, `SELECT DISTINCT type FROM places WHERE kind = 'risk_point' AND area_path LIKE ${yanggao} ORDER BY type`)).split('\n');
  assert.deepEqual(risks, ['field', 'forest', 'gully', 'mine', 'river', 'road']);
});

test('the printed logins work, and a grid worker sees only its grid\'s residents', async () => {
  const { password, logins, adminPassword } = parseLogins(out1.stdout);
  assert.match(password, /^[A-Za-z2-9]{12}$/);
  assert.ok(adminPassword, 'the admin password is printed');
  const names = logins.map((l) => l.username);
  for (const u of ['admin', 'centre_datong', 'commander_longquan', 'grid_worker', 'cdc']) assert.ok(names.includes(u), `no login ${u}`);
  const srv = await startServer({ db: { ...first, adminPassword, drop: async () => {} } });
  try {
    const tokens = {};
    for (const l of logins) {
      const r = await request(srv.url, 'POST', '/api/v1/session', {
        body: { username: l.username, password: l.username === 'admin' ? adminPassword : password },
      });
      assert.equal(r.status, 200, `login ${l.username}: ${r.text}`);
      assert.equal(r.json.user.role, l.role);
      assert.equal(r.json.user.scope.code, l.scope);
      tokens[l.username] = r.json.token;
    }
    const grid = logins.find((l) => l.username === 'grid_worker').scope;
    assert.match(grid, /^140221100\d{5}$/, 'the grid worker works in a grid of 龙泉镇');
    const get = (user, path) => request(srv.url, 'GET', path, { headers: { authorization: `Bearer ${tokens[user]}` } });
    const mine = await get('grid_worker', '/api/v1/residents?limit=1000');
    assert.equal(mine.status, 200, mine.text);
    const inGrid = await count(first, `SELECT COUNT(*) FROM residents WHERE status = 'active' AND area_path LIKE
      (SELECT path FROM areas WHERE code = '${grid}') || '%'`);
    assert.ok(inGrid > 0, 'the grid worker\'s grid has residents');
    assert.equal(mine.json.items.length, inGrid);
    for (const r of mine.json.items) assert.ok(r.area.code.startsWith(grid), `${r.area.code} is outside ${grid}`);
    // Someone from another county is invisible to the grid worker, visible to the city centre.
    const outsider = await sql(first, `SELECT r.id FROM residents r JOIN areas a ON a.id = r.area_id
      WHERE a.code LIKE '140212%' ORDER BY r.id LIMIT 1`);
    assert.equal((await get('grid_worker', `/api/v1/residents/${outsider}`)).status, 404);
    assert.equal((await get('centre_datong', `/api/v1/residents/${outsider}`)).status, 200);
    // Places are scoped the same way: the grid worker sees none of Yungang's venues.
    const far = await get('grid_worker', '/api/v1/places/yg-xueshi-stall');
    assert.equal(far.status, 404);
    const near = await get('sampler_nansanlu', '/api/v1/places?type=sampling_point');
    assert.deepEqual(near.json.items.map((p) => p.code), ['yg-nansanlu-sampling']);
  } finally {
    await srv.stop();
  }
});

test('a database that already holds data is refused and left as it was', async () => {
  const before = await digest(first);
  const r = await demo(first, 9);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /already holds data/);
  assert.equal(await digest(first), before);
  // A database that `civgrid init` has just made is fine: the city goes under its root.
  const db = await makeDb();
  dbs.push(db);
  const ok = await demo(db, 7, 100);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await sql(db, "SELECT p.code FROM areas a JOIN areas p ON p.id = a.parent_id WHERE a.code = '140200'"), '000000');
  assert.equal(await count(db, 'SELECT COUNT(*) FROM residents'), 100);
  // The tree depends on the seed alone, not on how many residents there are.
  const areas = "SELECT code, name, level FROM areas WHERE code <> '000000' ORDER BY code";
  assert.equal(await sql(db, areas), await sql(first, areas));
});
