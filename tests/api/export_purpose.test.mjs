// Unmasked bulk data needs a purpose (issue 9, finding 2). Proves, against a
// server started with small caps (--export-max-rows 3 --export-day-rows 5):
// - a whole-scope list by a CDC tracer (a role that sees full ID numbers)
//   answers masked ID numbers and says why; a search or a filter unmasks;
// - an export with full numbers without a purpose is refused (400
//   missing_field naming purpose), and a too short one too; a masked export
//   needs none;
// - with a purpose it is served and audited as resident.export.unmasked with
//   its format, count and purpose, which the admin finds with
//   GET /api/v1/audit?action=resident.export;
// - more rows than the per-request cap: 413 export_too_large; past the cap
//   per user in 24 hours: 429 export_quota_exceeded with Retry-After.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, civgrid, cleanEnv, idNumber, request, assertError } from './harness.mjs';

let srv, env, dir;
const PW = 'export-purpose-pw';
const tokens = {};
const MASKED = /^\d{4}\*{10}[\dX]{4}$/;
// G1 holds 3 people (the per-request cap), G2 holds 4 (one past it).
const PEOPLE = [
  ['14022119800101011', '赵一', 'G1'], ['14022119800101012', '赵二', 'G1'], ['14022119800101013', '赵三', 'G1'],
  ['14022119800101014', '钱一', 'G2'], ['14022119800101015', '钱二', 'G2'], ['14022119800101016', '钱三', 'G2'],
  ['14022119800101017', '钱四', 'G2'],
].map(([first17, name, area], i) => ({ id: idNumber(first17), name, area, phone: `1390000100${i}` }));

const api = (method, urlPath, token) => request(srv.url, method, urlPath, { headers: { authorization: `Bearer ${token}` } });
const purpose = (text) => `&purpose=${encodeURIComponent(text)}`;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-export-purpose-'));
  srv = await startServer({ args: ['--export-max-rows', '3', '--export-day-rows', '5'] });
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const areas = path.join(dir, 'areas.csv');
  writeFileSync(areas, 'code,parent_code,level,name\nC1,,county,阳高县\nG1,C1,grid,一网格\nG2,C1,grid,二网格\n');
  const residents = path.join(dir, 'residents.csv');
  writeFileSync(residents, 'id_number,name,phone,area_code\n' + PEOPLE.map((p) => [p.id, p.name, p.phone, p.area].join(',')).join('\n') + '\n');
  for (const [kind, file] of [['areas', areas], ['residents', residents]]) {
    const r = await civgrid(['import', kind, file], { env });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, role, scope] of [['cdc1', 'cdc', 'C1'], ['cdc2', 'cdc', 'C1'], ['sam1', 'sampler', 'C1']]) {
    const r = await civgrid(['user', 'add', u, '--role', role, '--scope', scope, '--password-stdin'], { env, input: PW });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, pw] of [['cdc1', PW], ['cdc2', PW], ['sam1', PW], ['admin', srv.adminPassword]]) {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: u, password: pw } });
    assert.equal(r.status, 200, r.text);
    tokens[u] = r.json.token;
  }
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Proves: the whole county, unfiltered, comes back with ID numbers masked
// (birth year only) and "masked_reason": "whole_scope", also when the area
// asked for is the tracer's own; a search, a ledger or a smaller area shows
// them in full.
test('a whole-scope list by a CDC tracer is masked; a search or filter unmasks', async () => {
  for (const q of ['', '?area=C1', '?q=&status=all']) {
    const r = await api('GET', `/api/v1/residents${q}`, tokens.cdc1);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, PEOPLE.length, `${q}: ${r.text}`);
    assert.equal(r.json.masked_reason, 'whole_scope', q);
    for (const it of r.json.items) {
      assert.match(it.id_number, MASKED, `${q}: ${it.id_number}`);
      assert.match(it.birth_date, /^\d{4}-\*\*-\*\*$/);
    }
  }
  for (const q of ['?area=G1', `?q=${encodeURIComponent('赵')}`, `?q=${PEOPLE[0].id}`]) {
    const r = await api('GET', `/api/v1/residents${q}`, tokens.cdc1);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length > 0, q);
    assert.equal(r.json.masked_reason, undefined, q);
    for (const it of r.json.items) assert.equal(it.id_number, PEOPLE.find((p) => p.name === it.name).id, q);
  }
});

// Proves: a file with full numbers needs a purpose of 4-200 characters; a
// masked file (a sampler sees nothing in full) needs none.
test('an unmasked export without a purpose is refused; a masked one needs none', async () => {
  const none = await api('GET', '/api/v1/residents?area=G1&format=csv', tokens.cdc1);
  await assertError(none, 400, 'missing_field', { field: 'purpose' });
  const blank = await api('GET', `/api/v1/residents?area=G1&format=xlsx${purpose('   ')}`, tokens.cdc1);
  await assertError(blank, 400, 'missing_field', { field: 'purpose' });
  const short = await api('GET', `/api/v1/residents?area=G1&format=csv${purpose('流调')}`, tokens.cdc1);
  await assertError(short, 400, 'invalid_field', { field: 'purpose' });
  const long = await api('GET', `/api/v1/residents?area=G1&format=csv${purpose('查'.repeat(201))}`, tokens.cdc1);
  await assertError(long, 400, 'invalid_field', { field: 'purpose' });
  const masked = await api('GET', '/api/v1/residents?area=G2&format=csv', tokens.sam1);
  assert.equal(masked.status, 200, masked.text);
  assert.ok(masked.text.includes('钱四'));
});

// Proves: with a purpose the file is served with full ID numbers and the
// audit record, found by action=resident.export, names format, count and
// purpose; refusals are on the record as well.
test('an unmasked export with a purpose is served and audited with it', async () => {
  const why = '密接排查 2026-11 第3批';
  const r = await api('GET', `/api/v1/residents?area=G1&format=csv${purpose(why)}`, tokens.cdc2);
  assert.equal(r.status, 200, r.text);
  for (const p of PEOPLE.filter((x) => x.area === 'G1')) assert.ok(r.text.includes(p.id), `full ${p.id} in the file`);
  const audit = await api('GET', '/api/v1/audit?action=resident.export&actor=cdc2', tokens.admin);
  assert.equal(audit.status, 200, audit.text);
  const ok = audit.json.items.filter((e) => e.outcome === 'ok');
  assert.equal(ok.length, 1, JSON.stringify(audit.json.items));
  assert.equal(ok[0].action, 'resident.export.unmasked');
  assert.match(ok[0].detail, /format=csv/);
  assert.ok(ok[0].detail.endsWith(`results=3 purpose=${why}`), ok[0].detail);
});

// Proves: a list one row past the per-request cap (3) is refused whole with
// 413 export_too_large, counting nothing against the day; then the cap per
// 24 hours (5): 3 rows pass, the next 3 are refused with 429
// export_quota_exceeded and a Retry-After, while 2 still fit; another user
// has a quota of its own; masked exports are not counted.
test('per-request and per-day caps are enforced with the configured values', async () => {
  const big = await api('GET', `/api/v1/residents?area=G2&format=xlsx${purpose('全网格核查')}`, tokens.cdc1);
  await assertError(big, 413, 'export_too_large');
  const first = await api('GET', `/api/v1/residents?area=G1&format=csv${purpose('第一批核查')}`, tokens.cdc1);
  assert.equal(first.status, 200, first.text);
  const second = await api('GET', `/api/v1/residents?area=G1&format=xlsx${purpose('第二批核查')}`, tokens.cdc1);
  await assertError(second, 429, 'export_quota_exceeded');
  const wait = Number(second.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 86400, `Retry-After ${second.headers.get('retry-after')}`);
  const fits = await api('GET', `/api/v1/residents?q=${encodeURIComponent('赵一')}&format=csv${purpose('补一个人')}`, tokens.cdc1);
  assert.equal(fits.status, 200, fits.text);
  const two = await api('GET', `/api/v1/residents?q=${encodeURIComponent('赵二')}&format=csv${purpose('再补一个')}`, tokens.cdc1);
  assert.equal(two.status, 200, two.text);
  const over = await api('GET', `/api/v1/residents?q=${encodeURIComponent('赵三')}&format=csv${purpose('超出额度')}`, tokens.cdc1);
  await assertError(over, 429, 'export_quota_exceeded');
  const other = await api('GET', `/api/v1/residents?q=${encodeURIComponent('赵三')}&format=csv${purpose('另一人的额度')}`, tokens.cdc2);
  assert.equal(other.status, 200, other.text);
  const masked = await api('GET', '/api/v1/residents?format=csv', tokens.sam1);
  assert.equal(masked.status, 200, masked.text);
  const audit = await api('GET', '/api/v1/audit?action=resident.export&actor=cdc1', tokens.admin);
  const outcomes = audit.json.items.map((e) => e.outcome);
  assert.ok(outcomes.includes('export_too_large') && outcomes.includes('export_quota_exceeded'), JSON.stringify(outcomes));
});

// Proves: GET /api/v1/meta states the caps the server was started with, which
// the UI words before an export and in its refusals.
test('the meta answer gives the export caps in force', async () => {
  const r = await api('GET', '/api/v1/meta', tokens.cdc1);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.export_limits, { per_request: 3, per_day: 5 });
});
