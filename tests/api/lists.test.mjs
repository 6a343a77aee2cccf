// No list is cut short silently (issue 8): every list either pages (a next
// offset or cursor) or says it was truncated, with the total when it is cheap.
// Each test names what it proves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, request, civgrid, cleanEnv, idNumber } from './harness.mjs';

let srv, env, dir, admin;
const BUILDINGS = 1001; // one more than an area card lists

async function api(method, urlPath, token, body) {
  return request(srv.url, method, urlPath, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-lists-'));
  srv = await startServer();
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const lines = ['code,parent_code,level,name', 'C1,,county,阳高县', 'G1,C1,grid,一网格'];
  for (let i = 0; i < BUILDINGS; i++) lines.push(`B${i},G1,building,${i}号楼`);
  const areas = path.join(dir, 'areas.csv');
  writeFileSync(areas, lines.join('\n') + '\n');
  const residents = path.join(dir, 'residents.csv');
  writeFileSync(residents, 'id_number,name,area_code\n' +
    Array.from({ length: 5 }, (_, i) => `${idNumber(`1402211990010100${i}`)},居民${i},B${i}`).join('\n') + '\n');
  for (const [kind, f] of [['areas', areas], ['residents', residents]]) {
    const r = await civgrid(['import', kind, f], { env });
    assert.equal(r.code, 0, r.stderr);
  }
  admin = (await api('POST', '/api/v1/session', null, { username: 'admin', password: srv.adminPassword })).json.token;
});

after(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Proves: an area card lists at most 1,000 buildings and says how many there
// are and that it was cut; its staff chain says whether it was cut too.
test('an area card says when its buildings are cut', async () => {
  const r = await api('GET', '/api/v1/areas/G1/card', admin);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.buildings.length, 1000);
  assert.equal(r.json.buildings_total, BUILDINGS);
  assert.equal(r.json.buildings_truncated, true);
  assert.equal(r.json.chain_truncated, false);
});

// Proves: the children of a node carry their total and a truncated flag; an
// area search says when it matched more than its limit.
test('area lists say when they are cut', async () => {
  const kids = await api('GET', '/api/v1/areas/G1/children', admin);
  assert.equal(kids.status, 200, kids.text);
  assert.equal(kids.json.total, BUILDINGS);
  assert.equal(kids.json.truncated, kids.json.items.length < BUILDINGS);
  const some = await api('GET', '/api/v1/areas?limit=10', admin);
  assert.equal(some.json.items.length, 10);
  assert.equal(some.json.truncated, true);
  const all = await api('GET', '/api/v1/areas?q=%E4%B8%80%E7%BD%91%E6%A0%BC', admin);
  assert.equal(all.json.truncated, false);
});

// Proves: a page of residents says where the next one starts, and the last
// page says nothing more; following next_offset lists everyone once.
test('resident pages carry the next offset until the last', async () => {
  const seen = [];
  let offset = 0, pages = 0;
  for (;;) {
    const r = await api('GET', `/api/v1/residents?limit=2&offset=${offset}`, admin);
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.items.map((x) => x.name));
    pages++;
    if (r.json.next_offset === undefined) break;
    assert.equal(r.json.next_offset, offset + 2);
    offset = r.json.next_offset;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), Array.from({ length: 5 }, (_, i) => `居民${i}`).sort());
});

// Proves: the audit trail pages by cursor: next_before is the id to ask
// before, present while older entries exist.
test('audit pages carry a cursor to the older entries', async () => {
  const first = await api('GET', '/api/v1/audit?limit=2', admin);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.items.length, 2);
  assert.equal(first.json.next_before, first.json.items[1].id);
  const older = await api('GET', `/api/v1/audit?limit=2&before=${first.json.next_before}`, admin);
  assert.ok(older.json.items.every((e) => e.id < first.json.next_before));
  const all = await api('GET', '/api/v1/audit?limit=1000', admin);
  assert.equal(all.json.next_before, undefined, 'no cursor on the last page');
});

// Proves: the accounts list says whether it was cut.
test('the accounts list says whether it was cut', async () => {
  const r = await api('GET', '/api/v1/users', admin);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.truncated, false);
});
