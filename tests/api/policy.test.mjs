// Policy profiles through the real binary, on the backend the harness names:
// the CLI (with and without a database), the API for the command centre,
// validation errors that name line, key and reason, the built-ins that cannot
// be overwritten, the default (nhc-20), the audit records of every change, and
// a grid worker who may read the rules but not change them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, request, assertError, civgrid, cleanEnv, repoFile, BACKEND,
} from './harness.mjs';

const PW = 'policy-test-pw';
let srv, admin, centre, worker, resident;

async function api(method, urlPath, token, body, headers = {}) {
  return request(srv.url, method, urlPath, {
    body, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

async function login(username, password) {
  const r = await api('POST', '/api/v1/session', null, { username, password });
  assert.equal(r.status, 200, `login ${username}: ${r.text}`);
  return r.json.token;
}

const cli = (args, opts = {}) => civgrid(['policy', ...args], { env: cleanEnv(), ...opts });

/** nhc-20 with one line replaced (by key), as a file in the test's directory. */
function edited(key, line) {
  const text = repoFile('policy/nhc-20.conf').replace(new RegExp(`^${key} = .*$`, 'm'), line);
  assert.ok(text.includes(line), `no line for ${key}`);
  return text;
}

function file(name, text) {
  const p = path.join(srv.dbInfo.dir, name);
  writeFileSync(p, text);
  return p;
}

/** The audit entries of policy actions, newest first, as the admin reads them. */
async function audit() {
  const r = await api('GET', '/api/v1/audit?action=policy.', admin);
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((e) => `${e.actor} ${e.action} ${e.object_id} ${e.outcome}`);
}

before(async () => {
  srv = await startServer();
  admin = await login('admin', srv.adminPassword);
  for (const [username, role] of [['pc1', 'centre'], ['pw1', 'grid_worker'], ['pr1', 'resident']]) {
    const r = await api('POST', '/api/v1/users', admin, { username, role, scope: '000000', password: PW });
    assert.equal(r.status, 201, r.text);
  }
  centre = await login('pc1', PW);
  worker = await login('pw1', PW);
  resident = await login('pr1', PW);
});

after(async () => { await srv?.stop(); });

test('the CLI lists and shows the built-ins without a database', async () => {
  const list = await cli(['list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^nhc-20\s+\*\s+built-in/m);
  assert.match(list.stdout, /^nhc-9\s+built-in/m);
  const show = await cli(['show', 'nhc-9', '--json']);
  assert.equal(show.code, 0, show.stderr);
  const p = JSON.parse(show.stdout);
  assert.equal(p.lookback_days, 4);
  assert.equal(p.trace_secondary, true);
  assert.deepEqual(p.close_contact_central_test_days, [1, 2, 3, 5, 7]);
  assert.deepEqual(p.risk_levels, ['high', 'medium', 'low']);
  assert.equal(p.builtin, true);
  const text = await cli(['show', 'nhc-20']);
  assert.match(text.stdout, /^trace_secondary = no$/m);
  const none = await cli(['show', 'nhc-99']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no policy profile 'nhc-99'/);
});

test('policy check names the line, the key and the reason', async () => {
  const good = await cli(['check', file('good.conf', edited('lookback_days', 'lookback_days = 5'))]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /valid/);
  const lines = repoFile('policy/nhc-20.conf').split('\n');
  const at = lines.findIndex((l) => l.startsWith('high_clear_days =')) + 1;
  const bad = await cli(['check', file('bad.conf', edited('high_clear_days', 'high_clear_days = soon'))]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`line ${at}: high_clear_days: .*\\(invalid_field, bad_value\\)`));
  const unknown = await cli(['check', file('unknown.conf', repoFile('policy/nhc-20.conf') + 'sky = blue\n')]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, new RegExp(`line ${lines.length}: sky: unknown key`));
  const missing = await cli(['check', file('missing.conf', edited('infection_code', '# gone'))]);
  assert.match(missing.stderr, /infection_code: missing key \(missing_field, missing_key\)/);
});

test(`the CLI saves a copy, refuses a built-in and chooses the active profile (${BACKEND})`, async () => {
  const db = srv.db;
  const saved = await cli(['save', 'cli-copy', '--from', file('c.conf', edited('lookback_days', 'lookback_days = 6')), '--db', db]);
  assert.equal(saved.code, 0, saved.stderr);
  const refused = await cli(['save', 'nhc-9', '--from', file('c.conf', edited('lookback_days', 'lookback_days = 6')), '--db', db]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /built in and cannot be overwritten/);
  const used = await cli(['use', 'cli-copy', '--db', db]);
  assert.equal(used.code, 0, used.stderr);
  const list = await cli(['list', '--db', db]);
  assert.match(list.stdout, /^cli-copy\s+\*\s+copy/m);
  assert.match(list.stdout, /^nhc-20\s+built-in/m);
  const r = await api('GET', '/api/v1/policy/active', worker);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'cli-copy');
  assert.equal(r.json.lookback_days, 6);
  const back = await cli(['use', 'nhc-20', '--db', db]);
  assert.equal(back.code, 0, back.stderr);
  const trail = await audit();
  for (const want of ['policy.save cli-copy ok', 'policy.save nhc-9 conflict', 'policy.activate cli-copy ok', 'policy.activate nhc-20 ok']) {
    assert.ok(trail.some((e) => e.endsWith(want)), `audit has "${want}": ${trail.join('; ')}`);
  }
});

test('staff read the profiles; the default is nhc-20', async () => {
  const list = await api('GET', '/api/v1/policies', worker);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.default, 'nhc-20');
  const names = list.json.items.map((i) => i.name);
  assert.deepEqual(names.slice(0, 2), ['nhc-20', 'nhc-9']);
  const one = await api('GET', '/api/v1/policies/nhc-9', worker);
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.lookback_days, 4);
  assert.equal(one.json.trace_secondary, true);
  assert.equal(one.json.arrival_high_isolation, 'central');
  assert.equal(one.json.title_zh, '第九版防控方案（2022年6月）');
  const text = await api('GET', '/api/v1/policies/nhc-9?format=text', worker);
  assert.equal(text.status, 200);
  assert.match(text.headers.get('content-type'), /^text\/plain/);
  assert.equal(text.text, repoFile('policy/nhc-9.conf'));
  await assertError(await api('GET', '/api/v1/policies/nhc-1', worker), 404, 'not_found', { field: 'name' });
  await assertError(await api('GET', '/api/v1/policies', null), 401, 'unauthenticated');
  // Residents are not staff: the rules reach them as their own code, not as profiles.
  await assertError(await api('GET', '/api/v1/policies', resident), 403, 'forbidden');
  await assertError(await api('GET', '/api/v1/policy/active', resident), 403, 'forbidden');
});

test('the centre saves edited copies from text and from JSON, and activates one', async () => {
  const put = await api('PUT', '/api/v1/policies/county-a', centre,
    edited('close_contact_central_days', 'close_contact_central_days = 6'), { 'content-type': 'text/plain' });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.name, 'county-a');
  assert.equal(put.json.close_contact_central_days, 6);
  assert.equal(put.json.builtin, false);
  assert.equal(put.json.saved_by, 'pc1');

  // What GET answers, edited and sent back, is a valid profile.
  const nine = (await api('GET', '/api/v1/policies/nhc-9', centre)).json;
  nine.secondary_contact_test_days = [1, 3, 7];
  const fromJson = await api('PUT', '/api/v1/policies/county-b', centre, nine);
  assert.equal(fromJson.status, 200, fromJson.text);
  assert.deepEqual(fromJson.json.secondary_contact_test_days, [1, 3, 7]);
  assert.match((await api('GET', '/api/v1/policies/county-b?format=text', centre)).text,
    /^secondary_contact_test_days = 1,3,7$/m);
  const wrapped = await api('PUT', '/api/v1/policies/county-c', centre, { text: repoFile('policy/nhc-9.conf') });
  assert.equal(wrapped.status, 200, wrapped.text);

  const act = await api('POST', '/api/v1/policies/county-a/activate', centre);
  assert.equal(act.status, 200, act.text);
  assert.equal(act.json.active, true);
  const active = await api('GET', '/api/v1/policy/active', worker);
  assert.equal(active.json.name, 'county-a');
  assert.equal(active.json.close_contact_central_days, 6);
  // Replacing the active copy is said so in its audit record.
  const again = await api('PUT', '/api/v1/policies/county-a', centre, { text: edited('lookback_days', 'lookback_days = 3') });
  assert.equal(again.status, 200, again.text);
  const entries = (await api('GET', '/api/v1/audit?action=policy.save&object=county-a', admin)).json.items;
  assert.equal(entries[0].detail, 'replaced (the active profile)');
  assert.equal(entries[1].detail, 'created');
  await assertError(await api('POST', '/api/v1/policies/nope/activate', centre), 404, 'not_found');
  const back = await api('POST', '/api/v1/policies/nhc-20/activate', admin);
  assert.equal(back.status, 200, back.text);
});

test('an invalid profile is refused with its line, key and reason', async () => {
  const lines = repoFile('policy/nhc-20.conf').split('\n');
  const at = lines.findIndex((l) => l.startsWith('trace_secondary =')) + 1;
  const r = await api('PUT', '/api/v1/policies/county-x', centre,
    edited('trace_secondary', 'trace_secondary = perhaps'), { 'content-type': 'text/plain' });
  await assertError(r, 400, 'invalid_field', { field: 'trace_secondary' });
  assert.equal(r.json.line, at);
  assert.equal(r.json.reason, 'bad_value');
  const dup = await api('PUT', '/api/v1/policies/county-x', centre, { text: `${repoFile('policy/nhc-20.conf')}lookback_days = 4\n` });
  await assertError(dup, 400, 'invalid_field', { field: 'lookback_days' });
  assert.equal(dup.json.reason, 'duplicate_key');
  const incons = await api('PUT', '/api/v1/policies/county-x', centre, { text: edited('arrival_high_test_days', 'arrival_high_test_days = 1,9') });
  assert.equal(incons.json.reason, 'inconsistent');
  const json = await api('PUT', '/api/v1/policies/county-x', centre, { lookback_days: 4 });
  await assertError(json, 400, 'missing_field');
  assert.equal(json.json.reason, 'missing_key');
  assert.equal(json.json.line, undefined);
  const both = await api('PUT', '/api/v1/policies/county-x', centre, { text: 'x', lookback_days: 4 });
  await assertError(both, 400, 'invalid_field', { field: 'lookback_days' });
  const builtin = await api('PUT', '/api/v1/policies/nhc-20', centre, { text: repoFile('policy/nhc-20.conf') });
  await assertError(builtin, 409, 'conflict', { field: 'name' });
  const badName = await api('PUT', '/api/v1/policies/Has%20Space', centre, { text: repoFile('policy/nhc-20.conf') });
  await assertError(badName, 400, 'invalid_field', { field: 'name' });
  const names = (await api('GET', '/api/v1/policies', centre)).json.items.map((i) => i.name);
  assert.ok(!names.includes('county-x'), 'nothing was saved');
});

test('a grid worker may not change the rules, and the refusal is audited', async () => {
  await assertError(await api('PUT', '/api/v1/policies/worker-copy', worker, { text: repoFile('policy/nhc-9.conf') }), 403, 'forbidden');
  await assertError(await api('POST', '/api/v1/policies/nhc-9/activate', worker), 403, 'forbidden');
  const trail = await audit();
  assert.ok(trail.includes('pw1 policy.save worker-copy forbidden'), trail.join('; '));
  assert.ok(trail.includes('pw1 policy.activate nhc-9 forbidden'), trail.join('; '));
  const active = await api('GET', '/api/v1/policy/active', worker);
  assert.equal(active.json.name, 'nhc-20');
});
