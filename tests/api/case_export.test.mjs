// Exports of cases (GET /api/v1/cases/export?format=csv|xlsx) on the demo's
// year of cases for 阳高县: every case of the scope and filter is a row (the
// count is the database's), the columns are the office's Chinese heads with
// Chinese values, the xlsx reads back with the same rows as the CSV, the file
// is named after what, where and when, and a grid worker exports its grid only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import XLSX from 'xlsx';
import { civgrid, cleanEnv, makeDb, sql, startServer, request, assertError } from './harness.mjs';

const NOW = 1764000000;
const ENV = { CIVGRID_FAKE_NOW: String(NOW) };
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADS = ['案件编号', '类型', '状态', '领域', '事项分类', '标题', '所在区域', '区域编码', '当前承办单位',
  '上报人', '上报时间', '受理时间', '办结时间', '结案时间', '办结期限', '是否超期', '督办', '调解结果', '地址', '描述'];

let db, srv;
const tokens = {};

function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { /* CRLF */ } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function get(user, pathAndQuery) {
  const r = await fetch(srv.url + pathAndQuery, { headers: { authorization: `Bearer ${tokens[user]}` }, signal: AbortSignal.timeout(60000) });
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, bytes, text: bytes.toString('utf8') };
}

const inTree = (code) => `area_path >= (SELECT path FROM areas WHERE code = '${code}') AND area_path < (SELECT path FROM areas WHERE code = '${code}') || '~'`;

before(async () => {
  db = await makeDb({ init: false });
  const out = await civgrid(['demo', '--db', db.db, '--residents', '2000', '--seed', '11'], { env: cleanEnv(ENV), timeoutMs: 300000 });
  assert.equal(out.code, 0, out.stderr);
  const password = /password for all: (\S+)\)/.exec(out.stdout)[1];
  const adminPassword = /^ {2}admin\s.*password: (\S+)$/m.exec(out.stdout)[1];
  srv = await startServer({ db: { ...db, adminPassword, drop: async () => {} }, env: ENV });
  for (const [user, pw] of [['grid_worker', password], ['centre_yanggao', password]]) {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: user, password: pw } });
    assert.equal(r.status, 200, r.text);
    tokens[user] = r.json.token;
  }
});

after(async () => {
  await srv?.stop();
  await db?.drop();
});

// Proves: the county's CSV holds every case of the county (about 22,000), one
// row each, oldest first, with the Chinese heads and values; named 案件_阳高县_….csv.
test('CSV: every case of the county, Chinese heads and values', async () => {
  const r = await get('centre_yanggao', '/api/v1/cases/export?format=csv&area_code=140221');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="cases_\d{8}-\d{4}\.csv"; filename\*=UTF-8''%E6%A1%88%E4%BB%B6_%E9%98%B3%E9%AB%98%E5%8E%BF_\d{8}-\d{4}\.csv$/);
  assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(r.text.slice(1));
  assert.deepEqual(rows[0], HEADS);
  const want = Number(await sql(db, `SELECT COUNT(*) FROM cases WHERE ${inTree('140221')}`));
  assert.ok(want > 20000);
  assert.equal(rows.length - 1, want);
  assert.equal(r.headers.get('x-export-rows'), String(want));
  const ids = rows.slice(1).map((row) => Number(row[0]));
  assert.equal(new Set(ids).size, want, 'each case once');
  const states = new Set(rows.slice(1).map((row) => row[2]));
  for (const s of states) assert.ok(['待受理', '处置中', '待核查', '已结案'].includes(s), s);
  const types = new Set(rows.slice(1).map((row) => row[1]));
  for (const t of ['事件', '诉求', '矛盾纠纷', '意见建议']) assert.ok(types.has(t), t);
  assert.ok(rows.slice(1).some((row) => row[17] === '调解成功'), 'dispute outcomes in words');
  assert.ok(rows.slice(1).every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(row[10])), 'local times');
  const created = rows.slice(1).map((row) => row[10]);
  assert.deepEqual(created, [...created].sort(), 'oldest first');
});

// Proves: filters narrow the rows exactly as the database counts them.
test('filters: state, type, domain, period', async () => {
  const cases = [
    ['state=open', "state <> 'closed'"],
    ['type=dispute', "type = 'dispute'"],
    ['domain=sanitation&state=closed', "domain = 'sanitation' AND state = 'closed'"],
    ['created_from=2025-06-01&created_to=2025-07-01', `created_at >= ${Date.parse('2025-06-01T00:00:00+08:00') / 1000} AND created_at < ${Date.parse('2025-07-01T00:00:00+08:00') / 1000}`],
  ];
  for (const [q, where] of cases) {
    const r = await get('centre_yanggao', `/api/v1/cases/export?area_code=140221&${q}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const want = Number(await sql(db, `SELECT COUNT(*) FROM cases WHERE ${inTree('140221')} AND ${where}`));
    assert.equal(parseCsv(r.text.slice(1)).length - 1, want, q);
  }
  await assertError(await request(srv.url, 'GET', '/api/v1/cases/export?state=lost',
    { headers: { authorization: `Bearer ${tokens.centre_yanggao}` } }), 400, 'invalid_field', { field: 'state' });
  const bad = await get('centre_yanggao', '/api/v1/cases/export?format=pdf');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).field, 'format');
});

// Proves: the xlsx is a workbook SheetJS reads, every cell text, with the
// same heads and rows as the CSV.
test('xlsx reads back with the same rows as the CSV', async () => {
  const q = '/api/v1/cases/export?area_code=140221100';
  const x = await get('centre_yanggao', q + '&format=xlsx');
  assert.equal(x.status, 200, x.text.slice(0, 300));
  assert.equal(x.headers.get('content-type'), XLSX_TYPE);
  assert.match(x.headers.get('content-disposition'), /\.xlsx$/);
  const wb = XLSX.read(x.bytes, { type: 'buffer' });
  assert.equal(wb.SheetNames[0], '案件');
  const sheet = wb.Sheets['案件'];
  const xrows = XLSX.utils.sheet_to_json(sheet, { header: 1, raw: true, defval: '' });
  const crows = parseCsv((await get('centre_yanggao', q + '&format=csv')).text.slice(1));
  assert.deepEqual(xrows[0], HEADS);
  assert.equal(xrows.length, crows.length);
  assert.ok(xrows.length > 1000);
  assert.deepEqual(xrows.map((row) => row.map(String)), crows);
  for (const k of Object.keys(sheet).filter((k) => !k.startsWith('!')).slice(0, 2000)) assert.equal(sheet[k].t, 's');
});

// Proves: a grid worker exports its own grid's cases only; the county is 404.
test('scope: a grid worker exports its grid only', async () => {
  const r = await get('grid_worker', '/api/v1/cases/export');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const grid = await sql(db, "SELECT a.code FROM users u JOIN areas a ON a.id = u.area_id WHERE u.username = 'grid_worker'");
  const want = Number(await sql(db, `SELECT COUNT(*) FROM cases WHERE ${inTree(grid)}`));
  const rows = parseCsv(r.text.slice(1)).slice(1);
  assert.equal(rows.length, want);
  assert.ok(rows.every((row) => row[7].startsWith(grid)));
  const county = await get('grid_worker', '/api/v1/cases/export?area_code=140221');
  assert.equal(county.status, 404);
});
