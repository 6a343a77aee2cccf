// Imports of areas, residents and venues through the real binary, over HTTP
// (POST /api/v1/import/{kind}) and on the command line (civgrid import): every
// row is checked and reported by line and column, nothing is written unless
// every row is good (or, asked to, every good row), a failed import leaves
// nothing behind, a re-import changes nothing, GBK and BOM files from Excel
// are read, quoting works, a truncated file is named, scope holds, and a
// 200 MB file goes through in bounded memory. Each test says what it proves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, openSync, writeSync, closeSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, makeDb, civgrid, cleanEnv, sql, run, idNumber, BACKEND, BIN } from './harness.mjs';

let srv, env, dir;
const PW = 'import-test-pw';
const tokens = {};

const AREAS = [
  '编码,上级编码,层级,名称',
  'C1,,县,阳高县',
  'T1,C1,镇,龙泉镇',
  'CM1,T1,社区,东关社区',
  'G1,CM1,网格,一网格',
  'G2,CM1,grid,二网格',
  'B1,G1,楼栋,1号楼',
  'B2,G2,building,2号楼',
].join('\r\n') + '\r\n';

const HEADER = 'id_number,name,phone,area_code,household,unit,room,resident_type,tags';
const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** A resident's ID number: group keeps the tests' people apart. */
const pid = (group, seq) => idNumber(`140221${1950 + group}0101${String(seq).padStart(3, '0')}`);
/** The same ID number with a wrong check character. */
const badCheck = (id) => id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
function row(id, name, { phone, area = 'B1', household = '', unit = '', room = '', type = '', tags = '', seq = 0 } = {}) {
  return [id, name, phone ?? `139${String(seq).padStart(8, '0')}`, area, household, unit, room, type, tags].map(cell).join(',');
}
const csv = (...lines) => lines.join('\n') + '\n';

function file(name, content) {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function upload(kind, body, token, query = '', contentType = 'text/csv; charset=utf-8') {
  const r = await fetch(`${srv.url}/api/v1/import/${kind}${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(30000),
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, text, json };
}

const count = async (table, where = '') => Number(await sql(srv.dbInfo, `SELECT COUNT(*) FROM ${table} ${where}`));
/** The report's errors without messages, for exact comparison. */
const problems = (r) => r.json.errors.map(({ line, column, code }) => ({ line, column, code }));

async function login(username, password) {
  const r = await fetch(`${srv.url}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const j = await r.json();
  assert.equal(r.status, 200, JSON.stringify(j));
  return j.token;
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-import-'));
  srv = await startServer();
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const r = await civgrid(['import', 'areas', file('areas.csv', AREAS)], { env });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  for (const [u, role, scope] of [['gw1', 'grid_worker', 'G1'], ['gw2', 'grid_worker', 'G2'], ['cdc1', 'cdc', 'C1']]) {
    const a = await civgrid(['user', 'add', u, '--role', role, '--scope', scope, '--password-stdin'], { env, input: PW });
    assert.equal(a.code, 0, a.stderr);
    tokens[u] = await login(u, PW);
  }
  tokens.admin = await login('admin', srv.adminPassword);
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Proves: an areas file with Chinese headers and level names builds the tree
// (parents from earlier rows), and importing it again writes nothing.
test('areas: Chinese headers and levels build the tree; the same file again is unchanged', async () => {
  const rows = await sql(srv.dbInfo, "SELECT a.code, a.level, p.code FROM areas a JOIN areas p ON p.id = a.parent_id WHERE a.code IN ('T1', 'G2', 'B1') ORDER BY a.code");
  assert.deepEqual(rows.split('\n'), ['B1|building|G1', 'G2|grid|CM1', 'T1|town|C1']);
  const before = await count('areas');
  const r = await civgrid(['import', 'areas', path.join(dir, 'areas.csv')], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /7 rows, 0 written, 7 unchanged, 0 invalid/);
  assert.equal(await count('areas'), before);
  // A child before its parent, a level above its parent, a retype: each named.
  const bad = file('areas-bad.csv', csv('code,parent_code,level,name', 'X2,X1,building,楼', 'X1,G1,micro_grid,微网格', 'X3,B1,town,镇', 'G1,CM1,community,一网格'));
  const b = await civgrid(['import', 'areas', bad], { env });
  assert.equal(b.code, 1);
  assert.match(b.stderr, /^2:parent_code: invalid_field: no area with code 'X1'/m);
  assert.match(b.stderr, /^4:level: invalid_field: a town cannot be under a building/m);
  assert.match(b.stderr, /^5:level: conflict: area 'G1' exists as a grid/m);
  assert.equal(await count('areas'), before, 'nothing of the bad areas file was written');
});

// Proves: a good file is written whole, the report counts it, the same file
// again writes nothing (unchanged), and each import leaves one audit record.
test('residents: a good file is written; importing it again changes nothing', async () => {
  const body = csv(HEADER,
    row(pid(1, 1), '张伟', { seq: 1, household: '101', unit: '1', room: '101', tags: 'party_member;volunteer' }),
    row(pid(1, 2), '王芳', { seq: 2, area: 'G1', type: '流动' }),
    row(pid(1, 3), '李强', { seq: 3, area: 'B2', type: 'permanent' }));
  const before = await count('residents');
  const first = await upload('residents', body, tokens.admin);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual({ ...first.json, errors: undefined }, {
    kind: 'residents', encoding: 'utf-8', dry_run: false, rows: 3, written: 3, unchanged: 0, invalid: 0, errors_total: 0, file_errors: 0, errors: undefined,
    updates_total: 0, updates: [],
  });
  assert.deepEqual(first.json.errors, []);
  assert.equal(await count('residents'), before + 3);
  const again = await upload('residents', body, tokens.admin);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.written, 0);
  assert.equal(again.json.unchanged, 3);
  assert.deepEqual(again.json.updates, [], 'the same data again updates nobody');
  assert.equal(await count('residents'), before + 3);
  assert.equal(await count('resident_history', `WHERE resident_id IN (SELECT id FROM residents WHERE id_number = '${pid(1, 1)}')`), 0,
    'a re-import leaves no history');
  const tags = await sql(srv.dbInfo, `SELECT l.name FROM ledger_entries e JOIN ledgers l ON l.id = e.ledger_id JOIN residents r ON r.id = e.resident_id WHERE r.id_number = '${pid(1, 1)}' ORDER BY l.name`);
  assert.deepEqual(tags.split('\n'), ['party_member', 'volunteer']);
  const type = await sql(srv.dbInfo, `SELECT resident_type FROM residents WHERE id_number = '${pid(1, 2)}'`);
  assert.equal(type, 'floating', '流动 is floating');
  const audit = await sql(srv.dbInfo, "SELECT actor, outcome, detail FROM audit WHERE action = 'import.residents' AND actor = 'admin' ORDER BY id DESC LIMIT 2");
  assert.deepEqual(audit.split('\n'), [
    'admin|ok|rows=3 written=0 unchanged=3 invalid=0 encoding=utf-8',
    'admin|ok|rows=3 written=3 unchanged=0 invalid=0 encoding=utf-8',
  ]);
});

const BAD_ROWS = () => csv(HEADER,
  row(pid(2, 1), '赵一', { seq: 11 }), //                         line 2: good
  row(badCheck(pid(2, 2)), '赵二', { seq: 12 }), //               line 3: check digit
  row(pid(2, 3), '赵三', { seq: 13 }), //                         line 4: good
  row(pid(2, 1), '赵一', { seq: 11 }), //                         line 5: the ID of line 2 again
  row(pid(2, 5), '赵五', { seq: 15, area: 'NOWHERE' }), //        line 6: unknown area
  row(pid(2, 6), '赵六', { phone: '1380013800' }), //             line 7: 10-digit phone
  row(pid(2, 7), '', { seq: 17 })); //                             line 8: no name

// Proves: every bad row is reported with its line, its column as written in
// the header and a code; by default nothing at all is written (422), and the
// failure is audited.
test('bad rows are reported by line and column, and nothing is written', async () => {
  const before = await count('residents');
  const r = await upload('residents', BAD_ROWS(), tokens.admin);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error, 'invalid_rows');
  assert.match(r.json.message, /nothing was written/);
  assert.deepEqual(problems(r), [
    { line: 3, column: 'id_number', code: 'invalid_field' },
    { line: 5, column: 'id_number', code: 'duplicate_id' },
    { line: 6, column: 'area_code', code: 'invalid_field' },
    { line: 7, column: 'phone', code: 'invalid_field' },
    { line: 8, column: 'name', code: 'missing_field' },
  ]);
  const msg = r.json.errors.map((e) => e.message);
  assert.match(msg[0], /check digit/);
  assert.match(msg[1], /line 2/);
  assert.match(msg[2], /no area with code 'NOWHERE'/);
  assert.match(msg[3], /1380013800/);
  assert.deepEqual([r.json.rows, r.json.written, r.json.unchanged, r.json.invalid], [7, 0, 0, 5]);
  assert.equal(await count('residents'), before, 'nothing was written');
  const audit = await sql(srv.dbInfo, "SELECT outcome FROM audit WHERE action = 'import.residents' ORDER BY id DESC LIMIT 1");
  assert.equal(audit, 'invalid_rows');
});

// Proves: skip_invalid writes exactly the good rows and still reports the bad
// ones; a second run writes nothing new.
test('skip_invalid writes the good rows and reports the rest', async () => {
  const before = await count('residents');
  const r = await upload('residents', BAD_ROWS(), tokens.admin, '?skip_invalid=1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.rows, r.json.written, r.json.unchanged, r.json.invalid], [7, 2, 0, 5]);
  assert.equal(r.json.errors.length, 5);
  assert.equal(await count('residents'), before + 2);
  assert.equal(await count('residents', `WHERE id_number IN ('${pid(2, 1)}', '${pid(2, 3)}')`), 2);
  const again = await upload('residents', BAD_ROWS(), tokens.admin, '?skip_invalid=1');
  assert.deepEqual([again.json.written, again.json.unchanged, again.json.invalid], [0, 2, 5]);
  assert.equal(await count('residents'), before + 2);
});

// Proves: a dry run checks and counts like an import and writes nothing.
test('dry_run counts what would be written and writes nothing', async () => {
  const before = await count('residents');
  const body = csv(HEADER, row(pid(3, 1), '钱一', { seq: 31 }), row(pid(3, 2), '钱二', { seq: 32 }));
  const r = await upload('residents', body, tokens.admin, '?dry_run=1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.dry_run, true);
  assert.equal(r.json.written, 2);
  assert.equal(await count('residents'), before);
});

// Proves: a failure at the very end of a long file, after hundreds of rows
// were written inside the transaction, leaves no row of it behind.
test('nothing is half-written when the last row of a long file is bad', async () => {
  const lines = [HEADER];
  for (let i = 1; i <= 400; i++) lines.push(row(pid(4, i), `孙${i}`, { seq: 400 + i, area: i % 2 ? 'B1' : 'G2', tags: i % 5 ? '' : 'student' }));
  lines.push(row(badCheck(pid(4, 401)), '孙末', { seq: 999 }));
  const residents = await count('residents');
  const ledger = await count('ledger_entries');
  const r = await upload('residents', csv(...lines), tokens.admin);
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(problems(r), [{ line: 402, column: 'id_number', code: 'invalid_field' }]);
  assert.equal(await count('residents'), residents);
  assert.equal(await count('ledger_entries'), ledger);
  // The same rows without the bad one go in whole.
  const ok = await upload('residents', csv(...lines.slice(0, -1)), tokens.admin);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.written, 400);
  assert.equal(await count('residents'), residents + 400);
  assert.equal(await count('ledger_entries'), ledger + 80);
});

// Proves: a GBK file (what Chinese Excel saves as CSV) is detected and read,
// with Chinese headers, over HTTP and on the command line.
test('a GBK file from Chinese Excel is read, over HTTP and on the command line', async () => {
  const utf8 = file('gbk-src.csv', '身份证号,姓名,手机号,区域编码,户号,单元,房间,人员类型,标签\r\n' +
    `${pid(5, 1)},欧阳国庆,13900000501,B1,东关小区3号,2单元,1203室,常住,party_member\r\n` +
    `${pid(5, 2)},司马燕,13900000502,G2,,,,流动,\r\n`);
  const gbk = path.join(dir, 'gbk.csv');
  const conv = await run('iconv', ['-f', 'UTF-8', '-t', 'GBK', '-o', gbk, utf8]);
  assert.equal(conv.code, 0, conv.stderr);
  const bytes = readFileSync(gbk);
  assert.ok(!bytes.equals(readFileSync(utf8)), 'the fixture really is GBK');
  const r = await upload('residents', bytes, tokens.admin, '', 'text/csv');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.encoding, 'gb18030');
  assert.equal(r.json.written, 2);
  assert.equal(await sql(srv.dbInfo, `SELECT name || '|' || household || '|' || unit || '|' || room FROM residents WHERE id_number = '${pid(5, 1)}'`),
    '欧阳国庆|东关小区3号|2单元|1203室');
  const cli = await civgrid(['import', 'residents', gbk], { env });
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /2 rows, 0 written, 2 unchanged, 0 invalid \(gb18030/);
});

// Proves: a UTF-8 byte-order mark (Excel's "CSV UTF-8") is not taken as part
// of the first column's name.
test('a UTF-8 file with a byte-order mark is read', async () => {
  const r = await upload('residents', '\uFEFF' + csv(HEADER, row(pid(6, 1), '周一', { seq: 61 })), tokens.admin);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.encoding, 'utf-8-bom');
  assert.equal(r.json.written, 1);
});

// Proves: quoted commas are data, a quoted line break makes one record span
// two lines (and the lines after it keep their true numbers), CRLF works, and
// blank lines and rows of empty cells are skipped, not counted.
test('quoted commas and line breaks, CRLF and blank lines', async () => {
  const body = [
    HEADER, //                                                                      line 1
    row(pid(7, 1), '吴一', { seq: 71, household: '3号楼,2单元' }), //               line 2
    '', //                                                                          line 3
    ',,,,,,,,', //                                                                  line 4
    row(pid(7, 2), '吴\n二', { seq: 72 }), //                                       lines 5-6
    row(pid(7, 3), '吴"三"', { seq: 73 }), //                                       line 7
    row(pid(7, 4), '吴四', { phone: '12345' }), //                                  line 8
    '',
  ].join('\r\n');
  const r = await upload('residents', body, tokens.admin, '?skip_invalid=1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(problems(r), [
    { line: 5, column: 'name', code: 'invalid_field' },
    { line: 8, column: 'phone', code: 'invalid_field' },
  ]);
  assert.deepEqual([r.json.rows, r.json.written, r.json.invalid], [4, 2, 2]);
  assert.equal(await sql(srv.dbInfo, `SELECT household FROM residents WHERE id_number = '${pid(7, 1)}'`), '3号楼,2单元');
  assert.equal(await sql(srv.dbInfo, `SELECT name FROM residents WHERE id_number = '${pid(7, 3)}'`), '吴"三"');
});

// Proves: a file cut off inside a quoted field is a clear error naming the
// line of the cut record, and even with --skip-invalid nothing is written.
test('a truncated file is named with its line and writes nothing', async () => {
  const before = await count('residents');
  const p = file('truncated.csv', csv(HEADER, row(pid(8, 1), '郑一', { seq: 81 })) + `${pid(8, 2)},"郑二,13900000082,B1`);
  const r = await civgrid(['import', 'residents', p, '--skip-invalid'], { env });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /^3:: truncated: .*line 3/m);
  assert.match(r.stderr, /nothing was written/);
  assert.equal(await count('residents'), before);
  const h = await upload('residents', readFileSync(p), tokens.admin, '?skip_invalid=1');
  assert.equal(h.status, 422, h.text);
  assert.deepEqual(problems(h), [{ line: 3, column: '', code: 'truncated' }]);
});

// Proves: an unknown column and a missing required column are header errors
// on line 1 that stop the import, naming the column.
test('unknown and missing columns are reported on the header line', async () => {
  const unknown = await upload('residents', csv('id_number,name,area_code,colour', `${pid(9, 1)},冯一,B1,red`), tokens.admin);
  assert.equal(unknown.status, 422, unknown.text);
  assert.deepEqual(problems(unknown), [{ line: 1, column: 'colour', code: 'unknown_column' }]);
  const missing = await upload('residents', csv('姓名,区域编码', '冯二,B1'), tokens.admin, '?skip_invalid=1');
  assert.equal(missing.status, 422, missing.text);
  assert.deepEqual(problems(missing), [{ line: 1, column: '', code: 'missing_field' }]);
  assert.match(missing.json.errors[0].message, /id_number/);
  const empty = await upload('residents', '', tokens.admin);
  assert.equal(empty.status, 422, empty.text);
  assert.match(empty.json.errors[0].message, /empty/);
  assert.equal(await count('residents', `WHERE id_number = '${pid(9, 1)}'`), 0);
});

// Proves: a line of bytes that are neither UTF-8 nor GBK is a bad_encoding
// error naming it, and a workbook sent instead of CSV is refused with
// bad_encoding and a message saying what to do.
test('unreadable encodings and workbooks are refused with a reason', async () => {
  const junk = await upload('residents', Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from([0x80, 0xff, 0xfe, 0x0a])]), tokens.admin);
  assert.equal(junk.status, 422, junk.text);
  assert.deepEqual(problems(junk), [{ line: 2, column: '', code: 'bad_encoding' }]);
  assert.match(junk.json.errors[0].message, /line 2 is neither/);
  const xlsx = await upload('residents', Buffer.from('PK\x03\x04rest-of-a-zip'), tokens.admin);
  assert.equal(xlsx.status, 422, xlsx.text);
  assert.match(xlsx.json.errors[0].message, /xlsx/);
});

// Proves: a stray quote on a line that crosses the CSV reader's 64 KiB chunk
// boundary spoils that line only. The rest of the line, past the boundary,
// used to be read as a row of its own, starting inside a character: with
// skip_invalid a file with no valid row wrote a resident whose name was not
// UTF-8. Now it is one malformed_csv error on line 2, and nothing is written.
test('a stray quote on a line across the 64 KiB chunk boundary is one bad line', async () => {
  const before = await count('residents');
  const prefix = 'name,id_number,area_code\nx"y,';
  // The first byte of 张 is the last byte of the first chunk.
  const body = prefix + 'z'.repeat(65535 - Buffer.byteLength(prefix)) + `张三,${pid(20, 1)},B1\n`;
  const h = await upload('residents', body, tokens.admin, '?skip_invalid=1');
  assert.equal(h.status, 422, h.text);
  assert.deepEqual(problems(h), [{ line: 2, column: '', code: 'malformed_csv' }]);
  const cli = await civgrid(['import', 'residents', file('stray-chunk.csv', body), '--skip-invalid'], { env });
  assert.equal(cli.code, 1, cli.stdout + cli.stderr);
  assert.match(cli.stderr, /^2:: malformed_csv: /m);
  assert.doesNotMatch(cli.stderr, /^3:/m);
  assert.equal(await count('residents'), before, 'no phantom resident was written');
});

// Proves: a UTF-8 file with one line in GBK, and a GBK file with one line in
// UTF-8, are read in the encoding of most of their lines, and the odd line
// is a bad_encoding error naming it; the other rows are stored as written
// (not 张三 turned into 寮犱笁 by reading the whole file as GB18030).
test('a line in another encoding than the rest of its file is an error naming it', async () => {
  const gbk = { 王五: [0xcd, 0xf5, 0xce, 0xe5], 李四: [0xc0, 0xee, 0xcb, 0xc4] };
  const line = (id, name, seq) => Buffer.concat([Buffer.from(`${id},`), Buffer.from(gbk[name] ?? name),
    Buffer.from(`,139000021${String(seq).padStart(2, '0')},B1\n`)]);
  const names = async (group) => (await sql(srv.dbInfo,
    `SELECT name FROM residents WHERE id_number IN ('${pid(group, 1)}', '${pid(group, 2)}', '${pid(group, 3)}') ORDER BY id_number`)).split('\n');

  const utf8 = Buffer.concat([Buffer.from('id_number,name,phone,area_code\n'),
    line(pid(21, 1), '张三', 1), line(pid(21, 2), '王五', 2), line(pid(21, 3), '赵六', 3)]);
  const dry = await upload('residents', utf8, tokens.admin, '?dry_run=1');
  assert.equal(dry.json.encoding, 'utf-8', dry.text);
  assert.deepEqual(problems(dry), [{ line: 3, column: '', code: 'bad_encoding' }]);
  const u = await upload('residents', utf8, tokens.admin, '?skip_invalid=1');
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(await names(21), ['张三', '赵六']);

  const gb = Buffer.concat([Buffer.from('id_number,name,phone,area_code\r\n'),
    line(pid(22, 1), '王五', 4), line(pid(22, 2), '张三', 5), line(pid(22, 3), '李四', 6)]);
  const g = await upload('residents', gb, tokens.admin, '?skip_invalid=1');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.encoding, 'gb18030');
  assert.deepEqual(problems(g), [{ line: 3, column: '', code: 'bad_encoding' }]);
  assert.match(g.json.errors[0].message, /line 3 is UTF-8/);
  assert.deepEqual(await names(22), ['王五', '李四']);
});

// Proves: the route refuses what it cannot use: an unknown kind (404), a
// form upload (400) and a malformed flag (400 naming it).
test('unknown kinds, form uploads and bad flags are refused', async () => {
  const kind = await upload('people', csv(HEADER), tokens.admin);
  assert.equal(kind.status, 404, kind.text);
  const form = await upload('residents', csv(HEADER), tokens.admin, '', 'multipart/form-data; boundary=x');
  assert.equal(form.status, 400, form.text);
  assert.equal(form.json.error, 'unsupported');
  const flag = await upload('residents', csv(HEADER), tokens.admin, '?skip_invalid=maybe');
  assert.equal(flag.status, 400, flag.text);
  assert.equal(flag.json.field, 'skip_invalid');
});

// Proves: venues are checked (Chinese types accepted, unknown types named),
// a multi-line address cell is kept as one line, a re-import is unchanged and
// a changed row is an update.
test('venues: types in Chinese, re-import unchanged, a change updates', async () => {
  const body = csv('编码,名称,类型,区域编码,地址', 'V1,惠民超市,超市,G1,"东关街\n12号"', 'V2,百姓药店,pharmacy,B1,', 'V3,错店,赌场,G1,');
  const strict = await upload('venues', body, tokens.admin);
  assert.equal(strict.status, 422, strict.text);
  assert.deepEqual(problems(strict), [{ line: 5, column: '类型', code: 'invalid_field' }]);
  assert.equal(await count('places'), 0);
  const r = await upload('venues', body, tokens.admin, '?skip_invalid=1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.written, 2);
  assert.equal(await sql(srv.dbInfo, "SELECT kind || '|' || type || '|' || address FROM places WHERE code = 'V1'"), 'venue|supermarket|东关街 12号');
  const again = await upload('venues', body, tokens.admin, '?skip_invalid=1');
  assert.deepEqual([again.json.written, again.json.unchanged], [0, 2]);
  const renamed = await upload('venues', csv('code,name,type,area_code,address', 'V1,惠民超市,supermarket,G1,东关街 12号', 'V2,百姓大药房,药店,B1,'), tokens.admin);
  assert.deepEqual([renamed.json.written, renamed.json.unchanged], [1, 1]);
  assert.equal(await sql(srv.dbInfo, "SELECT name FROM places WHERE code = 'V2'"), '百姓大药房');
});

// Proves: a grid worker of one grid cannot import residents of another grid
// (nor take over someone registered there), can import into its own grid,
// and roles without the permission are refused outright.
test('scope: a grid worker imports into its own grid only', async () => {
  const before = await count('residents');
  const other = await upload('residents', csv(HEADER, row(pid(10, 1), '陈一', { seq: 101, area: 'B2' }), row(pid(10, 2), '陈二', { seq: 102, area: 'G2' })),
    tokens.gw1, '?skip_invalid=1');
  assert.equal(other.status, 422, other.text);
  assert.deepEqual(problems(other), [{ line: 2, column: 'area_code', code: 'invalid_field' }, { line: 3, column: 'area_code', code: 'invalid_field' }]);
  assert.match(other.json.errors[0].message, /no area with code 'B2' in your scope/);
  assert.equal(await count('residents'), before);
  // 李强 of the first test lives on B2: gw1 cannot move him onto its grid.
  const takeover = await upload('residents', csv(HEADER, row(pid(1, 3), '李强', { seq: 3, area: 'B1' })), tokens.gw1);
  assert.equal(takeover.status, 422, takeover.text);
  assert.deepEqual(problems(takeover), [{ line: 2, column: 'id_number', code: 'already_exists' }]);
  assert.equal(await sql(srv.dbInfo, `SELECT a.code FROM residents r JOIN areas a ON a.id = r.area_id WHERE r.id_number = '${pid(1, 3)}'`), 'B2');
  const own = await upload('residents', csv(HEADER, row(pid(10, 3), '陈三', { seq: 103, area: 'B1' })), tokens.gw1);
  assert.equal(own.status, 200, own.text);
  assert.equal(await count('residents'), before + 1);
  const audit = await sql(srv.dbInfo, "SELECT outcome FROM audit WHERE action = 'import.residents' AND actor = 'gw1' ORDER BY id");
  assert.deepEqual(audit.split('\n'), ['invalid_rows', 'invalid_rows', 'ok']);
  const areas = await upload('areas', csv('code,parent_code,level,name', 'B9,G1,building,9号楼'), tokens.gw1);
  assert.equal(areas.status, 403, areas.text);
  assert.equal(areas.json.error, 'forbidden');
  const cdc = await upload('residents', csv(HEADER, row(pid(10, 4), '陈四', { seq: 104 })), tokens.cdc1);
  assert.equal(cdc.status, 403, cdc.text);
  assert.equal(await count('areas', "WHERE code = 'B9'"), 0);
});

// Proves: the command line's exit codes (0 written, 1 not written, 2 bad
// arguments) and its report: one "LINE:COLUMN: CODE: message" line per problem.
test('command line: exit codes and the LINE:COLUMN: CODE: message report', async () => {
  assert.equal((await civgrid(['import'], { env })).code, 2);
  assert.equal((await civgrid(['import', 'people', path.join(dir, 'areas.csv')], { env })).code, 2);
  const missing = await civgrid(['import', 'residents', path.join(dir, 'no-such-file.csv')], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-file\.csv/);
  const bad = await civgrid(['import', 'residents', file('cli-bad.csv', BAD_ROWS())], { env });
  assert.equal(bad.code, 1, bad.stderr);
  const lines = bad.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(0, 5).map((l) => l.split(': ')[0] + ': ' + l.split(': ')[1]), [
    '3:id_number: invalid_field', '5:id_number: duplicate_id', '6:area_code: invalid_field', '7:phone: invalid_field', '8:name: missing_field',
  ]);
  for (const l of lines.slice(0, 5)) assert.match(l, /^\d+:[^:]*: [a-z_]+: \S.*$/);
  assert.match(lines[5], /nothing was written: 5 of 7 rows are invalid/);
  const skip = await civgrid(['import', 'residents', path.join(dir, 'cli-bad.csv'), '--skip-invalid'], { env });
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, /7 rows, 0 written, 2 unchanged, 5 invalid/);
  const good = await civgrid(['import', 'residents', file('cli-good.csv', csv(HEADER, row(pid(11, 1), '褚一', { seq: 111 })))], { env });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /1 rows, 1 written, 0 unchanged, 0 invalid/);
  assert.equal(good.stderr, '', 'no progress bar when standard error is not a terminal');
});

// Proves: a 200 MB file of valid residents (1.7 million rows) is imported
// whole by the command line, every row counted, in bounded memory: the file
// is streamed, not loaded; what grows with it is the map of ID numbers seen
// (for duplicates) and SQLite's page cache, capped for the load. SQLite only:
// the PostgreSQL run covers the same code on small files.
test('a 200 MB file is imported in bounded memory', { skip: BACKEND !== 'sqlite' && 'SQLite only', timeout: 240000 }, async () => {
  const db = await makeDb({ backend: 'sqlite' });
  try {
    const asan = readFileSync(BIN).includes('__asan_init');
    // Under AddressSanitizer, a small quarantine and no allocation stack traces
    // halve the cost of SQLite's many small allocations; checks stay on.
    const denv = cleanEnv({
      CIVGRID_DB: db.db,
      ...(asan ? { ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'malloc_context_size=0:quarantine_size_mb=8'].filter(Boolean).join(':') } : {}),
    });
    const a = await civgrid(['import', 'areas', path.join(dir, 'areas.csv')], { env: denv });
    assert.equal(a.code, 0, a.stderr);
    const big = path.join(db.dir, 'big.csv');
    const { rows, entries } = writeBigFile(big, 200 * 1000 * 1000);
    assert.ok(statSync(big).size >= 200 * 1000 * 1000);
    // GNU time reports the maximum resident memory; without it the import still runs.
    const timed = existsSync('/usr/bin/time');
    const argv = ['import', 'residents', big];
    const r = timed ? await run('/usr/bin/time', ['-f', 'maxrss_kb=%M', BIN, ...argv], { env: denv, timeoutMs: 230000 })
      : await civgrid(argv, { env: denv, timeoutMs: 230000 });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stdout, new RegExp(`${rows} rows, ${rows} written, 0 unchanged, 0 invalid`));
    assert.equal(Number(await sql(db, 'SELECT COUNT(*) FROM residents')), rows);
    assert.equal(Number(await sql(db, 'SELECT COUNT(*) FROM ledger_entries')), entries);
    if (timed && !asan) { // AddressSanitizer's shadow memory would say nothing about ours
      const rss = Number(/maxrss_kb=(\d+)/.exec(r.stderr)[1]);
      assert.ok(rss < 512 * 1024, `maximum resident memory ${rss} KB for a 200 MB file`);
    }
  } finally {
    await db.drop();
  }
});

/** Writes valid residents until the file has `bytes` bytes; returns {rows, entries}: the row and ledger entry counts. */
function writeBigFile(p, bytes) {
  const fd = openSync(p, 'w');
  const dates = [];
  for (let d = new Date(Date.UTC(1940, 0, 1)); dates.length < 27000; d = new Date(d.getTime() + 86400000)) {
    dates.push(d.toISOString().slice(0, 10).replace(/-/g, ''));
  }
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const regionSum = [...'140221'].reduce((s, c, i) => s + Number(c) * W[i], 0);
  const dateSums = dates.map((ds) => [...ds].reduce((s, c, i) => s + Number(c) * W[6 + i], 0));
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平';
  // Some rows name a ledger twice: one entry each, not a failed load.
  const tags = (i) => (i % 11 ? '' : i % 2 ? 'party_member' : 'party_member;student;party_member');
  let written = 0, n = 0, entries = 0;
  writeSync(fd, HEADER + '\r\n');
  written += HEADER.length + 2;
  while (written < bytes) {
    const parts = [];
    for (let k = 0; k < 5000; k++, n++) {
      const di = n % dates.length, seq = String(Math.floor(n / dates.length)).padStart(3, '0');
      const sum = regionSum + dateSums[di] + Number(seq[0]) * W[14] + Number(seq[1]) * W[15] + Number(seq[2]) * W[16];
      const id = `140221${dates[di]}${seq}${'10X98765432'[sum % 11]}`;
      const name = surnames[n % 20] + given[(n >> 3) % 20] + given[(n >> 7) % 20];
      const area = n % 3 ? 'B1' : 'B2';
      parts.push(`${id},${name},1${3 + (n % 7)}${String(n).padStart(9, '0')},${area},东关社区幸福小区${n % 97}号楼${n % 6 + 1}单元${n % 18 + 1}0${n % 4 + 1}室,${n % 6 + 1}单元,${n % 18 + 1}0${n % 4 + 1},${n % 9 ? 'permanent' : 'floating'},${tags(n)}\r\n`);
      entries += new Set(tags(n).split(';').filter(Boolean)).size;
    }
    const chunk = parts.join('');
    writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
  }
  closeSync(fd);
  return { rows: n, entries };
}
