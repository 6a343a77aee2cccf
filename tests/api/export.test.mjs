// Exports of the residents list as files offices open in Excel: GET
// /api/v1/residents?format=csv|xlsx. Proves the formats (UTF-8 CSV with BOM
// and RFC 4180 quoting; a real xlsx that SheetJS reads, every cell text),
// that scope and masking hold in files exactly as in JSON (a grid worker sees
// masked ID numbers and full phones of its own grid only; a CDC tracer sees
// full ID numbers), and that a full export imports back unchanged. Files with
// full numbers (every role here unmasks phones or ID numbers) carry a purpose
// (tests/api/export_purpose.test.mjs proves the rule).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import XLSX from 'xlsx';
import { startServer, civgrid, cleanEnv, idNumber } from './harness.mjs';

let srv, env, dir;
const PW = 'export-test-pw';
const tokens = {};
const PURPOSE = encodeURIComponent('导出测试用');
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const P = {
  a: { id: idNumber('14022119800101001'), name: '欧阳一', phone: '13900000001', area: 'B1', household: '101', tags: 'party_member' },
  b: { id: idNumber('14022119800101002'), name: '欧阳二', phone: '13900000002', area: 'B1', household: '3号楼,"东"单元' },
  c: { id: idNumber('14022119800101003'), name: '=1+2', phone: '13900000003', area: 'G1', household: '' },
  d: { id: idNumber('14022119800101004'), name: '司马四', phone: '13900000004', area: 'B2', household: '' },
};

/** RFC 4180: rows of cells, quotes and line breaks inside quotes honoured. */
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

async function get(pathAndQuery, token) {
  const r = await fetch(srv.url + pathAndQuery, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30000) });
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, bytes, text: bytes.toString('utf8') };
}

async function csvOf(query, token) {
  const r = await get(`/api/v1/residents?${query}&format=csv&purpose=${PURPOSE}`, token);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(r.headers.get('content-disposition') || '', /^attachment; filename="[\w.-]+\.csv"; filename\*=UTF-8''[%\w.-]+\.csv$/);
  assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark, for Excel');
  const rows = parseCsv(r.text.slice(1));
  return { header: rows[0], rows: rows.slice(1), raw: r };
}

const col = (header, ...names) => {
  const i = header.findIndex((h) => names.includes(h));
  assert.ok(i >= 0, `no column ${names.join('/')} in ${header.join(',')}`);
  return i;
};

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-export-'));
  srv = await startServer();
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const areas = path.join(dir, 'areas.csv');
  writeFileSync(areas, 'code,parent_code,level,name\nC1,,county,阳高县\nG1,C1,grid,一网格\nG2,C1,grid,二网格\nB1,G1,building,1号楼\nB2,G2,building,2号楼\n');
  const residents = path.join(dir, 'residents.csv');
  const q = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  writeFileSync(residents, 'id_number,name,phone,area_code,household,tags\n' +
    Object.values(P).map((p) => [p.id, p.name, p.phone, p.area, p.household, p.tags || ''].map(q).join(',')).join('\n') + '\n');
  for (const [kind, file] of [['areas', areas], ['residents', residents]]) {
    const r = await civgrid(['import', kind, file], { env });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, role, scope] of [['gw1', 'grid_worker', 'G1'], ['cdc1', 'cdc', 'C1']]) {
    const r = await civgrid(['user', 'add', u, '--role', role, '--scope', scope, '--password-stdin'], { env, input: PW });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, pw] of [['gw1', PW], ['cdc1', PW], ['admin', srv.adminPassword]]) {
    const r = await fetch(`${srv.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: pw }) });
    tokens[u] = (await r.json()).token;
  }
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Proves: a grid worker's CSV holds its own grid only, with ID numbers masked
// (1402**********1234) and phones in full, as its JSON answers do; quoting
// keeps commas and quotes, and a formula-like text is neutralised.
test('CSV for a grid worker: own grid only, ID numbers masked, phones full', async () => {
  const { header, rows } = await csvOf('q=', tokens.gw1);
  const id = col(header, '身份证号', 'id_number'), name = col(header, '姓名', 'name'), phone = col(header, '手机号', 'phone');
  const household = col(header, '户号', 'household');
  const byPhone = Object.fromEntries(rows.map((r) => [r[phone], r]));
  assert.deepEqual(Object.keys(byPhone).sort(), [P.a.phone, P.b.phone, P.c.phone], 'exactly the residents of G1');
  for (const p of [P.a, P.b, P.c]) {
    const r = byPhone[p.phone];
    assert.match(r[id], /^\d{4}\*{10}[\dX]{4}$/, `masked ID number: ${r[id]}`);
    assert.equal(r[id], p.id.slice(0, 4) + '*'.repeat(10) + p.id.slice(14));
  }
  assert.equal(byPhone[P.b.phone][household], P.b.household, 'a quoted comma and quotes survive');
  assert.equal(byPhone[P.c.phone][name], "'=1+2", 'a formula-like name gets an apostrophe');
  assert.ok(!rows.some((r) => r.includes(P.d.name) || r.includes(P.d.phone)), 'nothing of another grid');
  const named = await csvOf(`q=${encodeURIComponent('欧阳')}`, tokens.gw1);
  assert.deepEqual(named.rows.map((r) => r[name]).sort(), ['欧阳一', '欧阳二']);
});

// Proves: a CDC tracer's file carries full ID numbers once it is narrowed to
// an area, and masked ones for its whole county (unmasked lists start from a
// search or a filter).
test('CSV for a CDC tracer: full ID numbers of a filtered list, masked for the whole scope', async () => {
  const ids = [];
  for (const area of ['G1', 'G2']) {
    const { header, rows } = await csvOf(`area=${area}`, tokens.cdc1);
    ids.push(...rows.map((r) => r[col(header, '身份证号', 'id_number')]));
  }
  assert.deepEqual(ids.sort(), Object.values(P).map((p) => p.id).sort());
  const whole = await csvOf('q=', tokens.cdc1);
  const id = col(whole.header, '身份证号', 'id_number');
  assert.equal(whole.rows.length, 4);
  for (const r of whole.rows) assert.match(r[id], /^\d{4}\*{10}[\dX]{4}$/, `masked for the whole scope: ${r[id]}`);
});

// Proves: the xlsx is a workbook SheetJS opens, with the same header and rows
// as the CSV, every cell a string (ID numbers keep their digits, '=1+2' is
// text, not a formula), masked for the grid worker.
test('xlsx opens in SheetJS with the same rows, every cell text', async () => {
  const r = await get(`/api/v1/residents?q=&format=xlsx&purpose=${PURPOSE}`, tokens.gw1);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), XLSX_TYPE);
  assert.match(r.headers.get('content-disposition') || '', /^attachment; filename="[\w.-]+\.xlsx"; filename\*=UTF-8''[%\w.-]+\.xlsx$/);
  assert.equal(r.bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip container');
  const wb = XLSX.read(r.bytes, { type: 'buffer' });
  const sheet = wb.Sheets[wb.SheetNames[0]];
  const cells = Object.keys(sheet).filter((k) => !k.startsWith('!')).map((k) => sheet[k]);
  assert.ok(cells.length > 0);
  for (const c of cells) {
    assert.equal(c.t, 's', `cell ${JSON.stringify(c)} is text`);
    assert.equal(c.f, undefined, 'no formulas');
  }
  const xrows = XLSX.utils.sheet_to_json(sheet, { header: 1, raw: true, defval: '' });
  const { header, rows } = await csvOf('q=', tokens.gw1);
  assert.deepEqual(xrows[0], header);
  const unquote = (v) => (/^'[=+\-@]/.test(v) ? v.slice(1) : v);
  const sortRows = (rs) => rs.map((row) => row.map((v) => unquote(String(v)))).sort((x, y) => x.join().localeCompare(y.join()));
  assert.deepEqual(sortRows(xrows.slice(1)), sortRows(rows));
  const id = col(header, '身份证号', 'id_number');
  for (const row of xrows.slice(1)) assert.match(row[id], /^\d{4}\*{10}[\dX]{4}$/);
});

// Proves: a full export (by a role that sees full numbers) is a valid import
// file: the columns line up, and importing it back changes nothing.
test('an export with full numbers imports back unchanged', async () => {
  const r = await get(`/api/v1/residents?area=G1&format=csv&purpose=${PURPOSE}`, tokens.cdc1);
  assert.equal(r.status, 200, r.text);
  const back = await fetch(`${srv.url}/api/v1/import/residents`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'text/csv' }, body: r.bytes,
  });
  const j = await back.json();
  assert.equal(back.status, 200, JSON.stringify(j));
  assert.deepEqual([j.rows, j.written, j.unchanged, j.invalid], [3, 0, 3, 0], JSON.stringify(j.errors));
});
