// Personal data that leaks sideways (issue 8, review findings): what a role
// that sees masked ID numbers is given must not rebuild them; export cells a
// spreadsheet could run are neutralised; exports, area cards and the audit
// trail itself are audited as what they are; probing whether an ID number is
// registered elsewhere is counted and limited. Each test names what it proves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import XLSX from 'xlsx';
import { startServer, request, assertError, civgrid, cleanEnv, idNumber } from './harness.mjs';

let srv, env, dir;
const PW = 'privacy-test-pw';
const tokens = {};
const PROBE_LIMIT = 3;

async function api(method, urlPath, token, body) {
  return request(srv.url, method, urlPath, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

// Files with full numbers (grid workers see full phones, CDC full ID
// numbers) say why they are made (tests/api/export_purpose.test.mjs).
async function file(urlPath, token) {
  urlPath += `&purpose=${encodeURIComponent('隐私测试用')}`;
  const r = await fetch(srv.url + urlPath, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30000) });
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()) };
}

/** RFC 4180 rows (quotes and line breaks inside quotes honoured). */
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

// Thirty people of one grid, born on different days: the search a grid
// worker makes every day.
const PEOPLE = Array.from({ length: 30 }, (_, i) => {
  const month = String(1 + (i % 12)).padStart(2, '0');
  const day = String(1 + ((i * 7) % 28)).padStart(2, '0');
  return { id: idNumber(`140221${1960 + i}${month}${day}${String(100 + i).padStart(3, '0')}`), name: `居民${i}`, area: 'B1' };
});
// Cells a spreadsheet would run if they were not neutralised: blanks before
// the formula sign do not stop Excel.
const RISKY = { id: idNumber('14022119900101201'), name: ' =HYPERLINK("http://x","y")', area: 'B1', household: '  +1+1', unit: ' -2+3', room: '  @SUM(1)' };
const ELSEWHERE = Array.from({ length: PROBE_LIMIT + 1 }, (_, i) => idNumber(`14022119800101${300 + i}`));

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function checkDigit(first17) {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i];
  return '10X98765432'[s % 11];
}

/**
 * The ID numbers that fit what a grid worker is shown: the masked number
 * (first 4, last 4), the county of its area (the next 2) and the birth date
 * as given (a full date, or a year with the rest masked).
 */
function candidates(masked, county, birth) {
  const [y, m, d] = birth.split('-');
  const out = [];
  for (let month = 1; month <= 12; month++) {
    for (let day = 1; day <= 31; day++) {
      const mm = String(month).padStart(2, '0'), dd = String(day).padStart(2, '0');
      if ((m !== '**' && m !== mm) || (d !== '**' && d !== dd)) continue;
      if (new Date(`${y}-${mm}-${dd}T00:00:00Z`).getUTCDate() !== day) continue;
      const first17 = masked.slice(0, 4) + county + y + mm + dd + masked.slice(14, 17);
      if (checkDigit(first17) === masked[17]) out.push(first17 + masked[17]);
    }
  }
  return out;
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-privacy-'));
  srv = await startServer({ args: ['--probe-limit', String(PROBE_LIMIT)] });
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const areas = path.join(dir, 'areas.csv');
  writeFileSync(areas, 'code,parent_code,level,name\nC1,,county,阳高县\nG1,C1,grid,一网格\nG2,C1,grid,二网格\nB1,G1,building,1号楼\nB2,G2,building,2号楼\n');
  const residents = path.join(dir, 'residents.csv');
  const q = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  writeFileSync(residents, 'id_number,name,area_code,household,unit,room\n' +
    [...PEOPLE, RISKY, ...ELSEWHERE.map((id, i) => ({ id, name: `别处${i}`, area: 'B1' }))]
      .map((p) => [p.id, p.name, p.area, p.household || '', p.unit || '', p.room || ''].map(q).join(',')).join('\n') + '\n');
  for (const [kind, f] of [['areas', areas], ['residents', residents]]) {
    const r = await civgrid(['import', kind, f], { env });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, role, scope] of [['gw1', 'grid_worker', 'G1'], ['gw2', 'grid_worker', 'G2'], ['gw3', 'grid_worker', 'G2'], ['cdc1', 'cdc', 'C1']]) {
    const r = await civgrid(['user', 'add', u, '--role', role, '--scope', scope, '--password-stdin'], { env, input: PW });
    assert.equal(r.code, 0, r.stderr);
  }
  for (const [u, pw] of [['gw1', PW], ['gw2', PW], ['gw3', PW], ['cdc1', PW], ['admin', srv.adminPassword]]) {
    const r = await api('POST', '/api/v1/session', null, { username: u, password: pw });
    assert.equal(r.status, 200, r.text);
    tokens[u] = r.json.token;
  }
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Proves: from what a grid worker's search shows (masked number, birth date,
// area), not one ID number can be rebuilt; the birth date is the year alone,
// alike in JSON, CSV and xlsx, while the CDC tracer (full numbers) keeps it.
test('a masked ID number cannot be rebuilt from what is shown beside it', async () => {
  const r = await api('GET', '/api/v1/residents?limit=1000', tokens.gw1);
  assert.equal(r.status, 200, r.text);
  const byName = new Map(r.json.items.map((x) => [x.name, x]));
  let rebuilt = 0;
  for (const p of PEOPLE) {
    const x = byName.get(p.name);
    assert.ok(x, `gw1 finds ${p.name}`);
    assert.match(x.id_number, /^\d{4}\*{10}[\dX]{4}$/);
    assert.match(x.birth_date, /^\d{4}-\*\*-\*\*$/, 'the birth year only');
    const c = candidates(x.id_number, p.id.slice(4, 6), x.birth_date);
    assert.ok(c.includes(p.id), 'the true number stays among the candidates');
    if (c.length === 1) rebuilt++;
  }
  assert.equal(rebuilt, 0, `${rebuilt} of ${PEOPLE.length} ID numbers rebuilt from a grid worker's search`);

  const csv = await file('/api/v1/residents?format=csv', tokens.gw1);
  assert.equal(csv.status, 200);
  const rows = parseCsv(csv.bytes.toString('utf8').slice(1));
  const col = rows[0].indexOf('出生日期');
  assert.ok(col >= 0, rows[0].join(','));
  for (const row of rows.slice(1)) assert.match(row[col], /^\d{4}-\*\*-\*\*$/, `CSV: ${row.join(',')}`);

  const xlsx = await file('/api/v1/residents?format=xlsx', tokens.gw1);
  assert.equal(xlsx.status, 200);
  const sheet = XLSX.read(xlsx.bytes, { type: 'buffer' });
  const xrows = XLSX.utils.sheet_to_json(sheet.Sheets[sheet.SheetNames[0]], { header: 1, raw: true, defval: '' });
  for (const row of xrows.slice(1)) assert.match(String(row[col]), /^\d{4}-\*\*-\*\*$/, `xlsx: ${row.join(',')}`);

  const full = await api('GET', `/api/v1/residents?q=${PEOPLE[0].id}`, tokens.cdc1);
  assert.equal(full.json.items[0].id_number, PEOPLE[0].id);
  assert.equal(full.json.items[0].birth_date, `${PEOPLE[0].id.slice(6, 10)}-${PEOPLE[0].id.slice(10, 12)}-${PEOPLE[0].id.slice(12, 14)}`);
});

// Proves: a cell whose first non-blank character is = + - or @ starts with an
// apostrophe in CSV and in xlsx, so that no spreadsheet runs it.
test('export cells with blanks before a formula sign are neutralised', async () => {
  const risky = [RISKY.name, RISKY.household, RISKY.unit, RISKY.room];
  const csv = await file(`/api/v1/residents?q=${RISKY.id}&format=csv`, tokens.cdc1);
  assert.equal(csv.status, 200);
  const row = parseCsv(csv.bytes.toString('utf8').slice(1))[1];
  const neutralised = (cells, v) => cells.some((c) => c.startsWith("'") && c.slice(1).trim() === v.trim());
  for (const v of risky) assert.ok(neutralised(row, v), `CSV neutralises ${JSON.stringify(v)}: ${JSON.stringify(row)}`);
  const xlsx = await file(`/api/v1/residents?q=${RISKY.id}&format=xlsx`, tokens.cdc1);
  const wb = XLSX.read(xlsx.bytes, { type: 'buffer' });
  const xrow = XLSX.utils.sheet_to_json(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: true, defval: '' })[1].map(String);
  for (const v of risky) assert.ok(neutralised(xrow, v), `xlsx neutralises ${JSON.stringify(v)}: ${JSON.stringify(xrow)}`);
  // Names are trimmed at every door (the text rule), so the stored name starts
  // with the sign itself; cells with blanks before it (rows stored before the
  // rule) are covered by tests/unit/test_export.c.
  const stored = RISKY.name.trim();
  assert.ok(row.includes(`'${stored}`) && xrow.includes(`'${stored}`), 'the name is neutralised as stored');
});

async function auditOf(action, actor) {
  const r = await api('GET', `/api/v1/audit?action=${encodeURIComponent(action)}&actor=${actor}`, tokens.admin);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

// Proves: an export is recorded as resident.export with its format and the
// number of people in it, not as a search.
test('exports are audited with their format and the number of people', async () => {
  const csv = await file('/api/v1/residents?format=csv', tokens.gw1);
  assert.equal(csv.status, 200);
  const people = parseCsv(csv.bytes.toString('utf8').slice(1)).length - 1;
  const xlsx = await file('/api/v1/residents?format=xlsx&q=%E5%B1%85', tokens.gw1);
  assert.equal(xlsx.status, 200);
  // A grid worker sees full phones: its exports are resident.export.unmasked.
  const entries = (await auditOf('resident.', 'gw1')).filter((e) => e.action.startsWith('resident.export'));
  const csvEntry = entries.find((e) => /format=csv/.test(e.detail));
  assert.ok(csvEntry, `an export record with format=csv: ${JSON.stringify(entries)}`);
  assert.match(csvEntry.detail, new RegExp(`results=${people}\\b`));
  assert.ok(entries.some((e) => /format=xlsx/.test(e.detail) && /results=30\b/.test(e.detail)), JSON.stringify(entries));
});

// Proves: reading an area card (staff names and phones) and reading the
// audit trail are themselves on the record.
test('area cards and the audit trail are audited when read', async () => {
  const card = await api('GET', '/api/v1/areas/G1/card', tokens.gw1);
  assert.equal(card.status, 200, card.text);
  const cards = await auditOf('area.card', 'gw1');
  assert.equal(cards.length, 1, JSON.stringify(cards));
  assert.equal(cards[0].object_id, 'G1');
  await api('GET', '/api/v1/audit?limit=5', tokens.admin);
  const reads = await auditOf('audit.read', 'admin');
  assert.ok(reads.length >= 2, `the trail's readings are recorded: ${JSON.stringify(reads)}`);
});

// Proves: each 409 "registered elsewhere" is audited as a probe; past the
// limit the user is answered 429 with Retry-After, for a number registered
// elsewhere and for a new one alike (the refusal tells nothing), while a
// resident in its own scope can still be corrected.
test('probing ID numbers registered elsewhere is audited and limited', async () => {
  const body = (id) => ({ id_number: id, name: '试探', area_code: 'B2' });
  for (const id of ELSEWHERE.slice(0, PROBE_LIMIT)) {
    await assertError(await api('POST', '/api/v1/residents', tokens.gw2, body(id)), 409, 'already_exists', { field: 'id_number' });
  }
  for (const id of [ELSEWHERE[PROBE_LIMIT], idNumber('14022119800101399')]) {
    const r = await api('POST', '/api/v1/residents', tokens.gw2, body(id));
    await assertError(r, 429, 'rate_limited');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait > 0 && wait <= 3600, `Retry-After ${r.headers.get('retry-after')}`);
  }
  const probes = await auditOf('resident.probe_elsewhere', 'gw2');
  assert.equal(probes.filter((e) => e.outcome === 'already_exists').length, PROBE_LIMIT, JSON.stringify(probes));
  assert.equal(probes.filter((e) => e.outcome === 'rate_limited').length, 2, JSON.stringify(probes));
  assert.ok(probes.every((e) => /^\d{4}\*{10}[\dX]{4}$/.test(e.object_id)), 'probes name masked numbers');
  // gw1's own residents are not affected by gw2's limit: registering one of
  // them again is answered with the resident (409 and its id, not 429), and
  // it is corrected at its own URL.
  const own = await api('POST', '/api/v1/residents', tokens.gw1, { id_number: PEOPLE[0].id, name: PEOPLE[0].name, area_code: 'B1', room: '9' });
  await assertError(own, 409, 'already_exists', { field: 'id_number' });
  const fixed = await api('PATCH', `/api/v1/residents/${own.json.id}`, tokens.gw1, { room: '9' });
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.json.room, '9');
});

// Proves: an import's rows "registered outside your scope" (a dry run too)
// are probes of the same limit: audited, and once past it the report is
// withheld (429) and further imports are refused until the hour is over.
test('import dry runs that find ID numbers elsewhere are probes of the same limit', async () => {
  const csv = (ids) => 'id_number,name,area_code\n' + ids.map((id) => `${id},试探,B2`).join('\n') + '\n';
  const upload = (ids) => request(srv.url, 'POST', '/api/v1/import/residents?dry_run=1&skip_invalid=1', {
    body: csv(ids), headers: { authorization: `Bearer ${tokens.gw3}`, 'content-type': 'text/csv' },
  });
  const first = await upload(ELSEWHERE.slice(0, 2));
  assert.equal(first.status, 422, first.text);
  assert.deepEqual(first.json.errors.map((e) => e.code), ['already_exists', 'already_exists']);
  const second = await upload(ELSEWHERE.slice(2, 4));
  await assertError(second, 429, 'rate_limited');
  assert.ok(Number(second.headers.get('retry-after')) > 0);
  assert.equal(second.json.errors, undefined, 'the report is withheld');
  await assertError(await upload([idNumber('14022119800101398')]), 429, 'rate_limited');
  const probes = await auditOf('resident.probe_elsewhere', 'gw3');
  assert.equal(probes.filter((e) => e.outcome === 'already_exists').length, 4, JSON.stringify(probes));
  assert.ok(probes.every((e) => /import dry_run/.test(e.detail)), JSON.stringify(probes));
});
