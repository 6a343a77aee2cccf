// Imports and exports in the office's words (issue 9, finding 6, and the
// import-report part of finding 5): an import takes ledger and resident-type
// names in Chinese as well as codes; every bad field of a row is reported,
// each with its stable code and parameters (field, value, line, column); the
// summary counts agree with the rows and the errors (a bad header, a dry run
// of good rows); an export writes Chinese values (or English with lang=en) and
// is named after what was exported and when.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import XLSX from 'xlsx';
import { startServer, civgrid, cleanEnv, idNumber } from './harness.mjs';

// Exports with full numbers need a purpose, and a filter below the whole
// scope (issue 9, finding 2): the building B1 holds the file's residents.
const PURPOSE = encodeURIComponent('核对导出格式');

let srv, env, dir, token, cdcToken;
const PW = 'import-words-pw';
const pid = (seq) => idNumber(`14022119700101${String(seq).padStart(3, "0")}`);
const badCheck = (id) => id.slice(0, 17) + (id[17] === '1' ? '2' : '1');

async function upload(kind, body, query = '') {
  const r = await fetch(`${srv.url}/api/v1/import/${kind}${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' },
    body,
    signal: AbortSignal.timeout(30000),
  });
  return { status: r.status, json: await r.json() };
}

/** A GET as the CDC tracer, who sees full ID numbers in exports. */
async function get(pathAndQuery) {
  const r = await fetch(srv.url + pathAndQuery, { headers: { authorization: `Bearer ${cdcToken}` }, signal: AbortSignal.timeout(30000) });
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, bytes, text: bytes.toString('utf8') };
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-impwords-'));
  srv = await startServer();
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const areas = path.join(dir, 'areas.csv');
  writeFileSync(areas, '编码,上级编码,层级,名称\nC1,,县,阳高县\nG1,C1,网格,一网格\nB1,G1,楼栋,1号楼\n');
  let r = await civgrid(['import', 'areas', areas], { env });
  assert.equal(r.code, 0, r.stderr);
  const login = async (user, role) => {
    const a = await civgrid(['user', 'add', user, '--role', role, '--scope', 'C1', '--password-stdin'], { env, input: PW });
    assert.equal(a.code, 0, a.stderr);
    const s = await fetch(`${srv.url}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: PW }),
    });
    return (await s.json()).token;
  };
  token = await login('adm', 'admin');
  cdcToken = await login('cdc1', 'cdc');
  assert.ok(token && cdcToken);
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an import takes ledger and resident-type names in Chinese as well as codes', async () => {
  const body = '身份证号,姓名,手机号,区域编码,人员类型,标签\n' +
    `${pid(1)},张一,13900000001,B1,户籍,党员;志愿者\n` +
    `${pid(2)},张二,13900000002,B1,流动,Students\n` +
    `${pid(3)},张三,13900000003,B1,floating,party_member；学生\n`;
  const r = await upload('residents', body);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.written, 3);
  assert.equal(r.json.invalid, 0);
  const list = await get(`/api/v1/residents?q=${pid(1)}`);
  const one = JSON.parse(list.text).items[0];
  assert.equal(one.resident_type, 'permanent');
  assert.deepEqual(one.tags.split(';').sort(), ['party_member', 'volunteer']);
});

test('every bad field of a row is reported, each with its code and parameters', async () => {
  const body = 'id_number,name,phone,area_code,resident_type,tags\n' +
    `${badCheck(pid(10))},李四,1390000,B1,常驻,党员\n` +
    `${pid(11)},王五,13900000011,B1,,不存在的台账\n`;
  const r = await upload('residents', body, '?dry_run=1');
  assert.equal(r.status, 422, JSON.stringify(r.json));
  const line2 = r.json.errors.filter((e) => e.line === 2);
  assert.deepEqual(line2.map((e) => e.field).sort(), ['id_number', 'phone', 'resident_type']);
  for (const e of line2) {
    assert.equal(e.code, 'invalid_field');
    assert.ok(e.reason, `a reason for ${e.field}`);
    assert.equal(typeof e.value, 'string');
  }
  const type = line2.find((e) => e.field === 'resident_type');
  assert.equal(type.value, '常驻');
  assert.equal(type.column, 'resident_type');
  assert.equal(type.reason, 'not_allowed');
  const ledger = r.json.errors.find((e) => e.line === 3);
  assert.deepEqual({ field: ledger.field, value: ledger.value, reason: ledger.reason },
    { field: 'tags', value: '不存在的台账', reason: 'unknown_ledger' });
  assert.equal(r.json.invalid, 2);
  assert.equal(r.json.errors_total, 4);
});

test('a bad header: every data row is counted, and counted as not importable', async () => {
  const body = '编号,姓名x,电话号,区域,类别\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n';
  const r = await upload('residents', body);
  assert.equal(r.status, 422);
  assert.equal(r.json.rows, 3);
  assert.equal(r.json.invalid, 3, 'no row of a file with a bad header can be imported');
  assert.equal(r.json.written, 0);
  assert.ok(r.json.file_errors >= 5, JSON.stringify(r.json));
  assert.equal(r.json.file_errors, r.json.errors_total);
  assert.ok(r.json.errors.every((e) => e.line === 1));
});

test('a dry run of three good rows says all three would be written', async () => {
  const body = 'id_number,name,area_code\n' +
    `${pid(20)},赵一,B1\n${pid(21)},赵二,B1\n${pid(22)},赵三,B1\n`;
  for (const q of ['?dry_run=1', '?dry_run=1&skip_invalid=1']) {
    const r = await upload('residents', body, q);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual([r.json.rows, r.json.written, r.json.unchanged, r.json.invalid], [3, 3, 0, 0], q);
  }
  // After a bad row, a strict dry run still counts what would be written.
  const r = await upload('residents', body.replace('\n', `\n${pid(23)},,B1\n`), '?dry_run=1');
  assert.equal(r.status, 422);
  assert.deepEqual([r.json.rows, r.json.written, r.json.unchanged, r.json.invalid], [4, 3, 0, 1]);
});

test('an xlsx export has Chinese values and a dated name after what was exported', async () => {
  const r = await get(`/api/v1/residents?area=B1&format=xlsx&purpose=${PURPOSE}`);
  assert.equal(r.status, 200, r.text);
  const cd = r.headers.get('content-disposition');
  assert.match(cd, /^attachment; filename="[\w.-]+\.xlsx"; filename\*=UTF-8''[%\w.-]+\.xlsx$/);
  const star = decodeURIComponent(cd.split("filename*=UTF-8''")[1]);
  assert.match(star, /^居民_1号楼_\d{8}-\d{4}\.xlsx$/);
  const wb = XLSX.read(r.bytes, { type: 'buffer', cellStyles: true });
  const sheet = wb.Sheets[wb.SheetNames[0]];
  const rows = XLSX.utils.sheet_to_json(sheet, { defval: '' });
  const one = rows.find((x) => x['身份证号'] === pid(1));
  assert.ok(one, JSON.stringify(rows[0]));
  assert.equal(one['性别'], pid(1)[16] % 2 ? '男' : '女');
  assert.equal(one['人员类型'], '户籍');
  assert.equal(one['状态'], '在册');
  assert.deepEqual(one['标签'].split(';').sort(), ['党员', '志愿者'].sort());
  assert.equal(rows.find((x) => x['身份证号'] === pid(2))['人员类型'], '流动');
  assert.ok(sheet['!cols']?.length >= 13 && sheet['!cols'].every((c) => c.wch >= 6), 'every column has a width');
});

test('an export follows lang=en, and a CSV has a BOM and CRLF and imports back', async () => {
  const r = await get(`/api/v1/residents?area=B1&format=csv&lang=en&purpose=${PURPOSE}`);
  assert.equal(r.status, 200, r.text);
  assert.match(decodeURIComponent(r.headers.get('content-disposition').split("filename*=UTF-8''")[1]),
    /^Residents_1号楼_\d{8}-\d{4}\.csv$/);
  assert.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.ok(r.text.includes('\r\n') && !/[^\r]\n/.test(r.text));
  const line = r.text.split('\r\n').find((l) => l.startsWith(pid(1)));
  assert.match(line, /,permanent,/);
  assert.match(line, /Party members;Volunteers|Volunteers;Party members/);
  // The Chinese export imports back as it is: nothing changes.
  const zh = await get(`/api/v1/residents?area=B1&format=csv&purpose=${PURPOSE}`);
  const back = await upload('residents', zh.bytes);
  assert.equal(back.status, 200, JSON.stringify(back.json));
  assert.equal(back.json.written, 0);
  assert.equal(back.json.unchanged, 3);
});
