// One rule per concept, whatever the door: the same bad name of an area, a
// resident or a place is refused by the API, the command line and the CSV
// import alike, with the same stable error code naming the same field; and
// GET /api/v1/import/kinds lists every kind the import accepts, with the
// columns each concept registers. Each test says what it proves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, civgrid, cleanEnv, sql, run, idNumber, BIN } from './harness.mjs';

let srv, env, dir, admin;

const AREAS = [
  'code,parent_code,level,name',
  'LC1,,county,阳高县',
  'LT1,LC1,town,龙泉镇',
  'LM1,LT1,community,东关社区',
  'LG1,LM1,grid,一网格',
  'LB1,LG1,building,1号楼',
].join('\n') + '\n';

/** Names every door must refuse, by what is wrong with them. */
const BAD = {
  tab: '东关\t社区',
  newline: '东关\n社区',
  control: '东关\u0001社区',
  del: '东关\u007f社区',
  c1: '东关\u0085社区',
};
const tooLong = (bytes) => '网'.repeat(Math.ceil(bytes / 3));

const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function file(name, content) {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function api(method, url, body, raw) {
  const r = await fetch(`${srv.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': raw ? 'text/csv' : 'application/json' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    signal: AbortSignal.timeout(30000),
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, json, text };
}

const count = async (table, where) => Number(await sql(srv.dbInfo, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

/** Asserts the API refused with 400 and the code naming the field. */
function refusedByApi(r, code, field, what) {
  assert.equal(r.status, 400, `${what}: ${r.text}`);
  assert.equal(r.json.error, code, `${what}: ${r.text}`);
  assert.equal(r.json.field, field, `${what}: ${r.text}`);
}

/** Asserts an import refused exactly one row, line 2, with the code under the column. */
function refusedByImport(r, code, column, what) {
  assert.equal(r.status, 422, `${what}: ${r.text}`);
  assert.deepEqual(r.json.errors.map(({ line, column: c, code: k }) => ({ line, column: c, code: k })),
    [{ line: 2, column, code }], `${what}: ${r.text}`);
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-loaders-'));
  srv = await startServer();
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const r = await civgrid(['import', 'areas', file('areas.csv', AREAS)], { env });
  assert.equal(r.code, 0, show(r));
  const s = await fetch(`${srv.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: srv.adminPassword }),
  });
  admin = (await s.json()).token;
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Proves: an area name with a tab, a line break, a C0 or C1 control character
// or DEL, or longer than 200 bytes, is refused by POST and PATCH
// /api/v1/areas, by `civgrid area add` and by the areas import, each time as
// invalid_field on "name", and nothing is written by any of them.
test('areas: the same bad name is refused by API, CLI and import with invalid_field', async () => {
  const cases = { ...BAD, too_long: tooLong(201) };
  let n = 0;
  for (const [what, name] of Object.entries(cases)) {
    n++;
    refusedByApi(await api('POST', '/api/v1/areas', { code: `LX${n}`, parent_code: 'LC1', level: 'town', name }),
      'invalid_field', 'name', `POST ${what}`);
    refusedByApi(await api('PATCH', '/api/v1/areas/LT1', { name }), 'invalid_field', 'name', `PATCH ${what}`);

    const cli = await civgrid(['area', 'add', `LY${n}`, '--parent', 'LC1', '--level', 'town', '--name', name], { env });
    assert.equal(cli.code, 2, `CLI ${what}: ${show(cli)}`);
    assert.match(cli.stderr, /^civgrid area add: name: invalid_field: /m, `CLI ${what}: ${show(cli)}`);

    const csv = `code,parent_code,level,name\nLZ${n},LC1,town,${cell(name)}\n`;
    refusedByImport(await api('POST', '/api/v1/import/areas', undefined, csv), 'invalid_field', 'name', `import ${what}`);
  }
  assert.equal(await count('areas', "code LIKE 'LX%' OR code LIKE 'LY%' OR code LIKE 'LZ%'"), 0);
  assert.equal(await sql(srv.dbInfo, "SELECT name FROM areas WHERE code = 'LT1'"), '龙泉镇');

  // A name of exactly 200 bytes is good at every door.
  const ok = '网'.repeat(66) + 'ab';
  assert.equal((await api('POST', '/api/v1/areas', { code: 'LOK1', parent_code: 'LC1', level: 'town', name: ok })).status, 201);
  const cli = await civgrid(['area', 'add', 'LOK2', '--parent', 'LC1', '--level', 'town', '--name', ok], { env });
  assert.equal(cli.code, 0, show(cli));
  const imp = await api('POST', '/api/v1/import/areas', undefined, `code,parent_code,level,name\nLOK3,LC1,town,${ok}\n`);
  assert.equal(imp.status, 200, imp.text);
});

// Proves: text that is not UTF-8 never becomes an area name, whichever door
// it comes through: the CLI names the field (invalid_field), the API refuses
// the body, the import refuses the file; nothing is written.
test('areas: a name that is not UTF-8 is refused by every door', async () => {
  const cli = await run('sh', ['-c', `"$0" area add LU1 --parent LC1 --level town --name "$(printf 'ab\\377cd')"`, BIN], { env });
  assert.equal(cli.code, 2, show(cli));
  assert.match(cli.stderr, /^civgrid area add: name: invalid_field: /m, show(cli));

  const body = Buffer.concat([Buffer.from('{"code":"LU2","parent_code":"LC1","level":"town","name":"ab'),
    Buffer.from([0xff]), Buffer.from('cd"}')]);
  const r = await fetch(`${srv.url}/api/v1/areas`, {
    method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body,
  });
  assert.equal(r.status, 400, await r.text());

  const csv = Buffer.concat([Buffer.from('code,parent_code,level,name\nLU3,LC1,town,ab'), Buffer.from([0xff]), Buffer.from('cd\n')]);
  const imp = await api('POST', '/api/v1/import/areas', undefined, csv);
  assert.equal(imp.status, 422, imp.text);
  assert.equal(await count('areas', "code LIKE 'LU%'"), 0);
});

// Proves: the level words of spreadsheets (县, 镇 ...) and the rule that a node
// sits below its parent's level are the area's own rules, so the API and the
// CLI keep them as the import does.
test('areas: levels and their order are one rule for every door', async () => {
  const r = await api('POST', '/api/v1/areas', { code: 'LV1', parent_code: 'LC1', level: '镇', name: '新镇' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.level, 'town');
  refusedByApi(await api('POST', '/api/v1/areas', { code: 'LV2', parent_code: 'LB1', level: 'town', name: '错镇' }),
    'invalid_field', 'level', 'a town under a building');
  const cli = await civgrid(['area', 'add', 'LV3', '--parent', 'LB1', '--level', 'county', '--name', '错县'], { env });
  assert.equal(cli.code, 2, show(cli));
  assert.match(cli.stderr, /^civgrid area add: level: invalid_field: a county cannot be under a building/m, show(cli));
  refusedByImport(await api('POST', '/api/v1/import/areas', undefined, 'code,parent_code,level,name\nLV4,LB1,town,错镇\n'),
    'invalid_field', 'level', 'import of a town under a building');
});

// Proves: a resident's name follows the same rule through the API and the
// import (C0, C1, DEL, tab, line breaks, more than 100 bytes), and spaces
// around a name are trimmed the same way by both.
test('residents: the same bad name is refused by API and import with invalid_field', async () => {
  const cases = { ...BAD, too_long: tooLong(101) };
  let seq = 0;
  for (const [what, name] of Object.entries(cases)) {
    const id = idNumber(`14022119800101${String(++seq).padStart(3, '0')}`);
    refusedByApi(await api('POST', '/api/v1/residents', { id_number: id, name, area_code: 'LB1' }),
      'invalid_field', 'name', `POST ${what}`);
    const csv = `id_number,name,area_code\n${id},${cell(name)},LB1\n`;
    refusedByImport(await api('POST', '/api/v1/import/residents', undefined, csv), 'invalid_field', 'name', `import ${what}`);
  }
  assert.equal(await count('residents', "area_path LIKE '%'"), 0);

  const a = idNumber('14022119800101101'), b = idNumber('14022119800101102');
  const saved = await api('POST', '/api/v1/residents', { id_number: a, name: ' 张三 ', area_code: 'LB1' });
  assert.ok(saved.status === 200 || saved.status === 201, saved.text);
  const imp = await api('POST', '/api/v1/import/residents', undefined, `id_number,name,area_code\n${b},"\u3000李四 ",LB1\n`);
  assert.equal(imp.status, 200, imp.text);
  assert.equal(await sql(srv.dbInfo, `SELECT name FROM residents WHERE id_number IN ('${a}', '${b}') ORDER BY id_number`), '张三\n李四');
});

// Proves: a venue's name and address follow the same rule through the API
// and the venues import, and both read the type's Chinese word.
test('places: the same bad name is refused by API and import with invalid_field', async () => {
  const cases = { ...BAD, too_long: tooLong(201) };
  let n = 0;
  for (const [what, name] of Object.entries(cases)) {
    n++;
    refusedByApi(await api('POST', '/api/v1/places', { code: `PX${n}`, name, kind: 'venue', type: 'shop', area_code: 'LG1' }),
      'invalid_field', 'name', `POST ${what}`);
    const csv = `code,name,type,area_code\nPY${n},${cell(name)},shop,LG1\n`;
    refusedByImport(await api('POST', '/api/v1/import/venues', undefined, csv), 'invalid_field', 'name', `import ${what}`);
  }
  refusedByApi(await api('POST', '/api/v1/places', { code: 'PX9', name: '店', kind: 'venue', type: 'shop', area_code: 'LG1', address: 'a\u0085b' }),
    'invalid_field', 'address', 'POST address with C1');
  assert.equal(await count('places', "code LIKE 'PX%' OR code LIKE 'PY%'"), 0);

  const r = await api('POST', '/api/v1/places', { code: 'PZ1', name: '超市一', kind: 'venue', type: '超市', area_code: 'LG1' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.type, 'supermarket');
});

// Proves: GET /api/v1/import/kinds lists exactly the kinds the import
// accepts (each answers a dry run; a kind not listed is 404), with each
// column's labels in both languages, and a header written with the Chinese
// labels it lists is one the import reads.
test('GET /api/v1/import/kinds lists every kind the import accepts, with its columns', async () => {
  const r = await api('GET', '/api/v1/import/kinds');
  assert.equal(r.status, 200, r.text);
  const kinds = r.json.items.map((k) => k.kind);
  assert.deepEqual([...kinds].sort(), ['areas', 'residents', 'venues']);
  const residents = r.json.items.find((k) => k.kind === 'residents');
  assert.deepEqual(residents.label, { 'zh-CN': '居民', en: 'Residents' });
  const id = residents.columns.find((c) => c.name === 'id_number');
  assert.equal(id.required, true);
  assert.deepEqual(id.label, { 'zh-CN': '身份证号', en: 'ID number' });
  assert.ok(id.aliases.includes('身份证号'), JSON.stringify(id));

  for (const k of r.json.items) {
    assert.equal(k.allowed, true, `admin may import ${k.kind}`);
    assert.ok(k.label['zh-CN'] && k.label.en, JSON.stringify(k.label));
    for (const c of k.columns) {
      assert.ok(c.label['zh-CN'] && c.label.en, `${k.kind}.${c.name}: ${JSON.stringify(c)}`);
      assert.ok(c.aliases.includes(c.name), `${k.kind}.${c.name} accepts its own name`);
    }
    // A header of every column's Chinese label, and no rows: the import reads it.
    const head = k.columns.map((c) => c.label['zh-CN']).join(',');
    const dry = await api('POST', `/api/v1/import/${k.kind}?dry_run=1`, undefined, `${head}\n`);
    assert.equal(dry.status, 200, `${k.kind}: ${dry.text}`);
    assert.deepEqual(dry.json.errors, [], `${k.kind}: ${dry.text}`);
  }
  assert.equal((await api('POST', '/api/v1/import/households', undefined, 'x\n')).status, 404);

  // A grid worker sees the same list, with only residents allowed.
  const env2 = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const u = await civgrid(['user', 'add', 'lgw', '--role', 'grid_worker', '--scope', 'LG1', '--password-stdin'], { env: env2, input: 'loaders-pw-1234' });
  assert.equal(u.code, 0, show(u));
  const s = await fetch(`${srv.url}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lgw', password: 'loaders-pw-1234' }),
  });
  const token = (await s.json()).token;
  const w = await (await fetch(`${srv.url}/api/v1/import/kinds`, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual(Object.fromEntries(w.items.map((k) => [k.kind, k.allowed])), { areas: false, residents: true, venues: false });
});
