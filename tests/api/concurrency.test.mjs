// Concurrent writes of one resident (issue 8, review finding): a correction
// reads the stored row before it changes it, so two corrections at once must
// take turns, or the history records changes that do not follow from each
// other; and two registrations of one new ID number at once must end with
// one resident, the others told about it (registering never corrects), not
// with a wrong "registered elsewhere". Runs on both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, civgrid, cleanEnv, idNumber } from './harness.mjs';

let srv, env;
const PW = 'concurrency-pw';
const CLIENTS = 8, SAVES = 25, GRIDS = 8;

async function api(method, urlPath, token, body) {
  return request(srv.url, method, urlPath, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
async function login(u) {
  const r = await api('POST', '/api/v1/session', null, { username: u, password: PW });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

before(async () => {
  srv = await startServer({ threads: CLIENTS });
  env = cleanEnv({ CIVGRID_DB: srv.dbInfo.db });
  const add = async (args) => {
    const r = await civgrid(args, { env });
    assert.equal(r.code, 0, r.stderr);
  };
  await add(['area', 'add', 'c1', '--level', 'county', '--name', '阳高县']);
  for (let g = 1; g <= GRIDS; g++) {
    await add(['area', 'add', `g${g}`, '--level', 'grid', '--name', `第${g}网格`, '--parent', 'c1']);
    const r = await civgrid(['user', 'add', `gw${g}`, '--role', 'grid_worker', '--scope', `g${g}`, '--password-stdin'], { env, input: PW });
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => { await srv?.stop(); });

// Proves: 8 clients correcting one resident 25 times each, each a new phone,
// leave 200 history rows that follow from each other (each row's old value
// is the previous row's new value) and end at the phone of the last row.
test('concurrent corrections of one resident leave a history that follows from itself', async () => {
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, () => login('gw1')));
  const base = { id_number: idNumber('14022119900307123'), name: '张伟', area_code: 'g1', phone: '13800000000' };
  const first = await api('POST', '/api/v1/residents', tokens[0], base);
  assert.ok(first.status === 201 || first.status === 200, first.text); // 201 since issue 8
  const id = first.json.id;
  const statuses = await Promise.all(tokens.map(async (t, c) => {
    const out = [];
    for (let i = 0; i < SAVES; i++) {
      const phone = `139${String(c).padStart(2, '0')}${String(i).padStart(6, '0')}`;
      out.push((await api('PATCH', `/api/v1/residents/${id}`, t, { phone })).status);
    }
    return out;
  }));
  assert.deepEqual([...new Set(statuses.flat())], [200], `every save answered 200: ${statuses.flat().join(',')}`);
  const h = await api('GET', `/api/v1/residents/${id}/history`, tokens[0]);
  assert.equal(h.status, 200, h.text);
  const rows = h.json.items.filter((x) => x.field === 'phone');
  assert.equal(rows.length, CLIENTS * SAVES, 'one history row per save');
  let broken = 0, prev = base.phone;
  for (const r of rows) {
    if (r.old !== prev) broken++;
    prev = r.new;
  }
  assert.equal(broken, 0, `${broken} of ${rows.length} history rows do not follow from the one before`);
  const now = await api('GET', `/api/v1/residents/${id}`, tokens[0]);
  assert.equal(now.json.phone, prev, 'the stored phone is the last row\'s new value');
});

// Proves: one grid worker registering one new ID number from 8 sessions at
// once, each with another room, creates it once (one 201); the other seven
// are answered 409 already_exists with the winner's id and change nothing:
// the stored room is the winner's and the history has no rows.
test('concurrent registrations of one ID number in scope: one 201, the rest 409 with its id', async () => {
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, () => login('gw2')));
  const body = { id_number: idNumber('14022119850512002'), name: '王芳', area_code: 'g2' };
  const answers = await Promise.all(tokens.map((t, c) => api('POST', '/api/v1/residents', t, { ...body, room: `${c + 1}01` })));
  const all = answers.map((r) => `${r.status} ${r.text}`).join('\n');
  const created = answers.filter((r) => r.status === 201);
  assert.equal(created.length, 1, all);
  const id = created[0].json.id;
  for (const r of answers.filter((x) => x.status !== 201)) {
    assert.equal(r.status, 409, all);
    assert.equal(r.json.error, 'already_exists');
    assert.equal(r.json.field, 'id_number');
    assert.equal(r.json.id, id, 'the loser is told which resident has the number');
  }
  const now = await api('GET', `/api/v1/residents/${id}`, tokens[0]);
  assert.equal(now.json.room, created[0].json.room, 'the winner\'s registration stands');
  const h = await api('GET', `/api/v1/residents/${id}/history`, tokens[0]);
  assert.deepEqual(h.json.items, [], 'the losers wrote no history');
});

// Proves: 8 grid workers of 8 grids saving one new ID number at once into
// their own grids: exactly one creates it (201); the seven others are told,
// correctly, that it is registered elsewhere (409 on the id_number field).
test('concurrent creations of one ID number from different scopes: one 201, the rest 409', async () => {
  const tokens = await Promise.all(Array.from({ length: GRIDS }, (_, g) => login(`gw${g + 1}`)));
  const id = idNumber('14022119700101005');
  const answers = await Promise.all(tokens.map((t, g) => api('POST', '/api/v1/residents', t, { id_number: id, name: '李强', area_code: `g${g + 1}` })));
  const created = answers.filter((r) => r.status === 201);
  assert.equal(created.length, 1, answers.map((r) => `${r.status} ${r.text}`).join('\n'));
  const refused = answers.filter((r) => r.status !== 201);
  for (const r of refused) {
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error, 'already_exists');
    assert.equal(r.json.field, 'id_number');
  }
});
