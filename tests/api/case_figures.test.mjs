// Figures of cases (docs/cases.md, "Figures of cases") on the demo's year of
// cases for 阳高县 (about 22,000): the summary folded from the timeline
// (incremental), the summary rebuilt from scratch, and a straightforward
// GROUP BY over the cases agree exactly, for every dimension, also after
// cases move; the rates follow their definitions; bad input is refused.
// The clock is fixed (CIVGRID_FAKE_NOW) so that "open past the deadline" is
// the same for the server, the command line and the SQL below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { civgrid, cleanEnv, makeDb, sql, startServer, request, assertError } from './harness.mjs';

const NOW = 1764000000; // 2025-11-25 00:00 in Asia/Shanghai
const ENV = { CIVGRID_FAKE_NOW: String(NOW) };
const FROM = '2024-11-01', TO = '2025-11-30';
const BYS = ['', 'domain', 'category', 'type', 'child_area', 'department', 'month'];
const DAY0 = (day) => Date.parse(day + 'T00:00:00+08:00') / 1000;

let db, srv;
const tokens = {};

async function get(user, urlPath) {
  return request(srv.url, 'GET', urlPath, { headers: { authorization: `Bearer ${tokens[user]}` } });
}

const query = (area, by, from = FROM, to = TO) =>
  `/api/v1/case-figures?area_code=${area}&from=${from}&to=${to}${by ? '&by=' + by : ''}`;

/** The figures as the command line computes them straight from the cases (--direct). */
async function direct(area, by) {
  const args = ['case-figures', 'show', '--db', db.db, '--area', area, '--from', FROM, '--to', TO, '--direct'];
  if (by) args.push('--by', by);
  const r = await civgrid(args, { env: cleanEnv(ENV), timeoutMs: 300000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Rates and hours compared to 9 digits (JSON text of doubles may differ in the last one). */
function rounded(v) {
  return JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'number' && !Number.isInteger(x) ? Number(x.toFixed(9)) : x)));
}

async function agreeEverywhere(label) {
  for (const area of ['140221', '140221100']) {
    for (const by of BYS) {
      const r = await get('centre_yanggao', query(area, by));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(rounded(r.json), rounded(await direct(area, by)), `${label}: ${area} by ${by || 'none'}`);
    }
  }
}

before(async () => {
  db = await makeDb({ init: false });
  const out = await civgrid(['demo', '--db', db.db, '--residents', '2000', '--seed', '7'],
    { env: cleanEnv(ENV), timeoutMs: 300000 });
  assert.equal(out.code, 0, out.stderr);
  const password = /password for all: (\S+)\)/.exec(out.stdout)[1];
  const adminPassword = /^ {2}admin\s.*password: (\S+)$/m.exec(out.stdout)[1];
  srv = await startServer({ db: { ...db, adminPassword, drop: async () => {} }, env: ENV });
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

// Proves: the demo's year looks like the source (about 22,000 reports, 99.94 %
// handled, a few open and overdue, disputes and suggestions among them).
test('the demo year is shaped like the source', async () => {
  const r = await get('centre_yanggao', query('140221', 'type'));
  assert.equal(r.status, 200, r.text);
  const t = r.json.total;
  assert.ok(t.filed >= 21000 && t.filed <= 23000, `filed ${t.filed}`);
  assert.ok(t.handled_rate > 0.998 && t.handled_rate < 1, `handled ${t.handled_rate}`);
  assert.ok(t.open > 0 && t.open_overdue > 0, 'some open, some past the deadline');
  const types = Object.fromEntries(r.json.groups.map((g) => [g.key, g.filed]));
  for (const type of ['event', 'request', 'dispute', 'suggestion']) assert.ok(types[type] > 100, `${type}: ${types[type]}`);
  assert.ok(t.hours.handling.cases > 1000 && t.hours.handling.mean > 0);
});

// Proves: the summary folded entry by entry from the whole timeline (the
// demo rebuilt it; here it starts empty) answers exactly what a plain GROUP BY
// over the cases answers, for every dimension, at the county and a town.
test('incremental summary == straightforward GROUP BY, every dimension', async () => {
  // The demo has just loaded the year: fresh planner statistics keep the
  // plain GROUP BY (a window over the timeline) from a nested-loop plan on
  // PostgreSQL before autovacuum gets to it.
  await sql(db, 'ANALYZE');
  await sql(db, 'DELETE FROM case_figures');
  await sql(db, 'DELETE FROM case_figure_cases');
  await sql(db, 'UPDATE case_figures_state SET watermark = 0');
  const r = await civgrid(['case-figures', 'fold', '--db', db.db], { env: cleanEnv(ENV), timeoutMs: 600000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /folded [1-9][0-9]{4,} timeline entries/);
  await agreeEverywhere('incremental');
});

// Proves: the definitions, computed here by hand in SQL from the cases table:
// filed, closed and closed on time per domain; open past the deadline at NOW.
test('handled and on-time rates follow their definitions', async () => {
  const r = await get('centre_yanggao', query('140221', 'domain'));
  assert.equal(r.status, 200, r.text);
  const lo = DAY0(FROM), hi = DAY0(TO) + 86400;
  const rows = (await sql(db, `SELECT domain, COUNT(*),
      SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END),
      SUM(CASE WHEN state = 'closed' AND (finish_due IS NULL OR closed_at <= finish_due) THEN 1 ELSE 0 END),
      SUM(CASE WHEN state <> 'closed' AND finish_due < ${NOW} THEN 1 ELSE 0 END)
    FROM cases WHERE area_path >= (SELECT path FROM areas WHERE code = '140221')
      AND area_path < (SELECT path FROM areas WHERE code = '140221') || '~'
      AND created_at >= ${lo} AND created_at < ${hi} GROUP BY domain ORDER BY domain`)).split('\n');
  const want = Object.fromEntries(rows.map((l) => {
    const [d, filed, closed, onTime, overdue] = l.split('|');
    return [d, { filed: +filed, closed: +closed, onTime: +onTime, overdue: +overdue }];
  }));
  assert.deepEqual(r.json.groups.map((g) => g.key).sort(), Object.keys(want).sort());
  for (const g of r.json.groups) {
    const w = want[g.key];
    assert.equal(g.filed, w.filed, g.key);
    assert.equal(g.closed, w.closed, g.key);
    assert.equal(g.open, w.filed - w.closed, g.key);
    assert.equal(g.closed_on_time, w.onTime, g.key);
    assert.equal(g.closed_late, w.closed - w.onTime, g.key);
    assert.equal(g.open_overdue, w.overdue, g.key);
    assert.equal(g.handled_rate, w.closed / w.filed, g.key);
    assert.equal(g.on_time_rate, w.closed + w.overdue ? w.onTime / (w.closed + w.overdue) : null, g.key);
    assert.ok(g.zh && g.en, 'labelled');
  }
  const total = r.json.groups.reduce((n, g) => n + g.filed, 0);
  assert.equal(r.json.total.filed, total);
});

// Proves: cases that move after the fold (an open case closed, a closed one
// reopened, a new case filed) are in the next answer: the request folds what
// the timeline gained, and it equals the GROUP BY again.
test('cases that move are counted at the next request', async () => {
  const before_ = (await get('centre_yanggao', query('140221', ''))).json.total;
  const open = (await sql(db, `SELECT id, state FROM cases WHERE state <> 'closed' ORDER BY id LIMIT 1`)).split('|');
  const closed = await sql(db, `SELECT id FROM cases WHERE state = 'closed' AND domain = 'sanitation' ORDER BY id LIMIT 1`);
  const t = NOW - 3600;
  // As cg_case_act writes an action: the case row, then its timeline entry.
  await sql(db, `UPDATE cases SET state = 'closed', closed_at = ${t}, version = version + 1 WHERE id = ${open[0]}`);
  await sql(db, `INSERT INTO case_events (case_id, at, actor, action, from_state, to_state)
    VALUES (${open[0]}, ${t}, 'test', 'verify_pass', '${open[1]}', 'closed')`);
  await sql(db, `UPDATE cases SET state = 'reported', closed_at = NULL, version = version + 1 WHERE id = ${closed}`);
  await sql(db, `INSERT INTO case_events (case_id, at, actor, action, from_state, to_state)
    VALUES (${closed}, ${t}, 'test', 'reopen', 'closed', 'reported')`);
  const after_ = (await get('centre_yanggao', query('140221', ''))).json.total;
  assert.equal(after_.filed, before_.filed);
  assert.equal(after_.closed, before_.closed, 'one closed, one reopened');
  await agreeEverywhere('after moves');
});

// Proves: `civgrid case-figures rebuild` recomputes the same summary from
// scratch: rebuild == incremental == GROUP BY.
test('rebuild == incremental == straightforward GROUP BY', async () => {
  const incremental = [];
  for (const by of BYS) incremental.push(rounded((await get('centre_yanggao', query('140221', by))).json));
  const rows = await sql(db, 'SELECT COUNT(*), SUM(filed) FROM case_figures');
  const r = await civgrid(['case-figures', 'rebuild', '--db', db.db], { env: cleanEnv(ENV) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await sql(db, 'SELECT COUNT(*), SUM(filed) FROM case_figures'), rows, 'the same rows');
  for (const [i, by] of BYS.entries()) {
    assert.deepEqual(rounded((await get('centre_yanggao', query('140221', by))).json), incremental[i], by);
  }
  await agreeEverywhere('rebuilt');
});

// Proves: child areas list every child (zeros too) in code order; months and
// days cover the whole period; a grid worker sees its grid only.
test('child areas, months and days, scope', async () => {
  const towns = (await sql(db, "SELECT code FROM areas WHERE parent_id = (SELECT id FROM areas WHERE code = '140221') ORDER BY code")).split('\n');
  const c = (await get('centre_yanggao', query('140221', 'child_area'))).json;
  assert.deepEqual(c.groups.filter((g) => !g.self).map((g) => g.key), towns);
  assert.equal(c.groups.reduce((n, g) => n + g.filed, 0), c.total.filed);
  const m = (await get('centre_yanggao', query('140221', 'month'))).json;
  assert.equal(m.groups.length, 13);
  assert.equal(m.groups[0].key, '2024-11');
  const d = (await get('centre_yanggao', query('140221', 'day', '2025-01-01', '2025-01-31'))).json;
  assert.equal(d.groups.length, 31);
  assert.equal(d.groups[30].key, '2025-01-31');
  assert.equal((await get('grid_worker', query('140221', ''))).status, 404);
  const mine = await get('grid_worker', '/api/v1/case-figures?from=2024-11-01&to=2025-11-30');
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.json.area.level === 'grid' && mine.json.total.filed > 0);
});

// Proves: malformed and out-of-range input is refused with a stable code
// naming the parameter; no session is 401.
test('bad input is refused', async () => {
  await assertError(await get('centre_yanggao', query('140221', 'weekday')), 400, 'invalid_field', { field: 'by' });
  await assertError(await get('centre_yanggao', query('140221', '', '2025-13-01')), 400, 'invalid_field', { field: 'from' });
  await assertError(await get('centre_yanggao', query('140221', '', '2025-02-01', '2025-01-01')), 400, 'out_of_range', { field: 'to' });
  await assertError(await get('centre_yanggao', query('140221', 'day', '2024-01-01', '2025-06-01')), 400, 'out_of_range', { field: 'to' });
  await assertError(await get('centre_yanggao', query('999999', '')), 404, 'not_found', { field: 'area_code' });
  const anon = await request(srv.url, 'GET', query('140221', ''));
  assert.equal(anon.status, 401);
});
