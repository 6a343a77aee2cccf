// The working-day calendar, supervision cards and the notification outbox,
// through the real binary on the backend the harness names, with a clock the
// test controls (`civgrid tick --at`, CIVGRID_FAKE_NOW):
// - the calendar API: the seeded National Day 2026, the deadline a case filed
//   on 2026-09-30 gets, edits by the centre (audited, seen at once), refused
//   to a grid worker; the CLI;
// - cards: yellow and red at the right working day across the holiday week
//   and its make-up Saturday, once each, on the case, in its timeline, and
//   one overdue notification each; the overdue counts per unit;
// - the outbox: a webhook that fails the first times is retried after the
//   backoff (30 s, then 60 s), marked delivered on the 2xx only, with the
//   same idempotency id and a signature; pending rows survive a server killed
//   with SIGKILL and are delivered by the next one; on PostgreSQL two servers
//   deliver each notification once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import {
  civgrid, cleanEnv, makeDb, sql, startServer, request, assertError, BACKEND,
} from './harness.mjs';

const PW = 'calendar-test-pw';
const SECRET = 'hook-secret';

/** Epoch seconds of a local time in Asia/Shanghai ("2026-10-10T00:00"). */
const at = (local) => Date.parse(`${local}:00+08:00`) / 1000;

/**
 * A webhook receiver: answers 500 to the first `failures` POSTs, then 200;
 * keeps every request (headers and body).
 */
async function receiver(failures = 0) {
  const got = [];
  let failLeft = failures;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ method: req.method, headers: req.headers, body, json: JSON.parse(body) });
      if (failLeft > 0) {
        failLeft--;
        res.writeHead(500).end('not now');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    got,
    url: `http://127.0.0.1:${server.address().port}/hook`,
    failNext(n) { failLeft = n; },
    close: () => new Promise((r) => server.close(r)),
  };
}

const tick = (db, when, env = {}) =>
  civgrid(['tick', '--db', db.db, '--at', when], { env: cleanEnv(env) });

/** A case filed at `createdAt` on the root area, of a category with the default card thresholds. */
async function addCase(db, createdAt, title = 'test case') {
  const cat = await sql(db, "SELECT id || '|' || domain FROM case_categories WHERE code = 'power.meter'");
  const [catId, domain] = cat.split('|');
  await sql(db, `UPDATE case_categories SET accept_yellow = 2, accept_red = 5, finish_yellow = 5, finish_red = 10 WHERE id = ${catId}`);
  await sql(db, `INSERT INTO cases (type, category_id, domain, state, source, area_id, area_path,
      holder_area_id, reporter, title, created_at, updated_at)
    SELECT 'event', ${catId}, '${domain}', 'reported', 'cli', id, path, id, 'cli:test', '${title}',
      ${createdAt}, ${createdAt} FROM areas WHERE code = '000000'`);
  return Number(await sql(db, `SELECT MAX(id) FROM cases WHERE title = '${title}'`));
}

const cards = async (db, id) =>
  (await sql(db, `SELECT stage || '.' || colour FROM case_cards WHERE case_id = ${id} ORDER BY id`))
    .split('\n').filter(Boolean);

const outboxRows = async (db) => {
  const out = await sql(db, `SELECT id || '|' || kind || '|' || attempts || '|' || next_at || '|' ||
    COALESCE(delivered_at, 0) || '|' || COALESCE(last_error, '') FROM outbox ORDER BY id`);
  return out.split('\n').filter(Boolean).map((l) => {
    const [id, kind, attempts, nextAt, deliveredAt, lastError] = l.split('|');
    return { id: +id, kind, attempts: +attempts, nextAt: +nextAt, deliveredAt: +deliveredAt, lastError };
  });
};

describe(`working-day calendar API (${BACKEND})`, () => {
  let srv, admin, centre, worker;
  const api = (method, p, token, body) => request(srv.url, method, p, {
    body, headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const login = async (username, password) => {
    const r = await api('POST', '/api/v1/session', null, { username, password });
    assert.equal(r.status, 200, r.text);
    return r.json.token;
  };

  before(async () => {
    srv = await startServer();
    admin = await login('admin', srv.adminPassword);
    for (const [username, role] of [['cc1', 'centre'], ['cw1', 'grid_worker']]) {
      const r = await api('POST', '/api/v1/users', admin, { username, role, scope: '000000', password: PW });
      assert.equal(r.status, 201, r.text);
    }
    centre = await login('cc1', PW);
    worker = await login('cw1', PW);
  });
  after(async () => { await srv?.stop(); });

  it('lists the seeded National Day 2026 with its make-up days', async () => {
    const r = await api('GET', '/api/v1/calendar/days?from=2026-09-15&to=2026-10-15', worker);
    assert.equal(r.status, 200, r.text);
    const days = Object.fromEntries(r.json.items.map((d) => [d.date, d.kind]));
    for (let d = 1; d <= 7; d++) assert.equal(days[`2026-10-0${d}`], 'holiday');
    assert.equal(days['2026-09-20'], 'workday');
    assert.equal(days['2026-10-10'], 'workday');
    assert.equal(days['2026-10-08'], undefined);
    assert.equal(r.json.truncated, false);
    await assertError(await api('GET', '/api/v1/calendar/days?from=2026-13-01', worker), 400, 'invalid_field', { field: 'from' });
  });

  it('gives a case filed on 2026-09-30 two working days to the end of 10-09', async () => {
    for (const start of ['2026-09-30T08:00', '2026-09-30T23:30']) {
      const r = await api('GET', `/api/v1/calendar/deadline?start=${start}&days=2`, worker);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.due, at('2026-10-10T00:00'));
      assert.equal(r.json.due_local, '2026-10-10 00:00:00');
      assert.equal(r.json.start_is_workday, true);
    }
    const r = await api('GET', '/api/v1/calendar/deadline?start=2026-10-09T10:00&days=1', worker);
    assert.equal(r.json.due, at('2026-10-11T00:00'), 'the make-up Saturday 10-10 counts');
    await assertError(await api('GET', '/api/v1/calendar/deadline?start=2026-09-30', worker), 400, 'missing_field', { field: 'days' });
    await assertError(await api('GET', '/api/v1/calendar/deadline?start=x&days=2', worker), 400, 'invalid_field', { field: 'start' });
  });

  it('lets the centre mark and unmark a day, audited and seen at once; not a grid worker', async () => {
    await assertError(await api('PUT', '/api/v1/calendar/days/2026-10-08', worker, { kind: 'holiday' }), 403, 'forbidden');
    let r = await api('PUT', '/api/v1/calendar/days/2026-10-08', centre, { kind: 'holiday', name: '防汛停工' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.date, r.json.kind, r.json.name, r.json.updated_by], ['2026-10-08', 'holiday', '防汛停工', 'cc1']);
    r = await api('GET', '/api/v1/calendar/deadline?start=2026-09-30T08:00&days=2', worker);
    assert.equal(r.json.due, at('2026-10-11T00:00'), '10-09 and the make-up 10-10');
    await assertError(await api('PUT', '/api/v1/calendar/days/2026-02-30', centre, { kind: 'holiday' }), 400, 'invalid_field', { field: 'date' });
    await assertError(await api('PUT', '/api/v1/calendar/days/2026-10-09', centre, { kind: 'rest' }), 400, 'invalid_field', { field: 'kind' });
    await assertError(await api('PUT', '/api/v1/calendar/days/2026-10-09', centre, {}), 400, 'missing_field', { field: 'kind' });
    r = await api('DELETE', '/api/v1/calendar/days/2026-10-08', centre);
    assert.equal(r.status, 204, r.text);
    await assertError(await api('DELETE', '/api/v1/calendar/days/2026-10-08', centre), 404, 'not_found', { field: 'date' });
    r = await api('GET', '/api/v1/calendar/deadline?start=2026-09-30T08:00&days=2', worker);
    assert.equal(r.json.due, at('2026-10-10T00:00'));
    const log = await api('GET', '/api/v1/audit?action=calendar.', admin);
    const seen = log.json.items.map((e) => `${e.actor} ${e.action} ${e.object_id} ${e.outcome}`);
    assert.ok(seen.includes('cc1 calendar.set 2026-10-08 ok'), seen.join('\n'));
    assert.ok(seen.includes('cc1 calendar.unset 2026-10-08 ok'), seen.join('\n'));
    assert.ok(seen.includes('cw1 calendar.set 2026-10-08 forbidden'), seen.join('\n'));
  });

  it('edits the same days from the command line', async () => {
    const cli = (args) => civgrid(['calendar', ...args, '--db', srv.db], { env: cleanEnv() });
    let r = await cli(['set', '2027-02-11', 'holiday', '--name', '春节']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['list', '--from', '2027-02-01', '--to', '2027-02-28']);
    assert.match(r.stdout, /^2027-02-11\s+holiday\s+春节$/m);
    r = await api('GET', '/api/v1/calendar/deadline?start=2027-02-10T09:00&days=1', worker);
    assert.equal(r.json.due, at('2027-02-13T00:00'), 'the mark made by the CLI is seen by the server');
    r = await cli(['unset', '2027-02-11']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['set', '2027-02-11', 'rest']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid_field/);
  });

  it('shows the outbox to the admin only', async () => {
    const r = await api('GET', '/api/v1/system/outbox', admin);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.counts, { pending: 0, retrying: 0, delivered: 0 });
    assert.equal(r.json.webhook_configured, false);
    await assertError(await api('GET', '/api/v1/system/outbox', worker), 403, 'forbidden');
    await assertError(await api('GET', '/api/v1/system/outbox?state=lost', admin), 400, 'invalid_field', { field: 'state' });
  });
});

describe(`supervision cards and the webhook outbox (${BACKEND})`, () => {
  it('gives yellow and red at the right working days, once, and delivers each with retries', async () => {
    const db = await makeDb();
    const hook = await receiver(2);
    const env = { CIVGRID_WEBHOOK_URL: hook.url, CIVGRID_WEBHOOK_SECRET: SECRET };
    try {
      const id = await addCase(db, at('2026-09-30T10:00'));
      // Two working days after 09-30 end with 10-09: nothing before its midnight.
      let r = await tick(db, '2026-10-09T23:55', env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(await cards(db, id), []);
      r = await tick(db, '2026-10-10T00:00', env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^case\.cards\s+ok/m);
      assert.deepEqual(await cards(db, id), ['accept.yellow']);
      assert.equal(await sql(db, `SELECT card FROM cases WHERE id = ${id}`), 'yellow');
      assert.equal(await sql(db, `SELECT action || ' ' || note FROM case_events WHERE case_id = ${id}`), 'card accept.yellow');
      // The first POST failed (500): retried 30 s later, not sooner.
      let rows = await outboxRows(db);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].kind, 'case.overdue');
      assert.equal(rows[0].attempts, 1);
      assert.equal(rows[0].lastError, 'HTTP 500');
      assert.equal(rows[0].nextAt, at('2026-10-10T00:00') + 30);
      assert.equal(hook.got.length, 1);
      await tick(db, String(at('2026-10-10T00:00') + 29), env); // before the backoff ends
      assert.equal(hook.got.length, 1, 'retried before its backoff');
      r = await civgrid(['tick', '--db', db.db, '--at', String(at('2026-10-10T00:00') + 30)], { env: cleanEnv(env) });
      assert.equal(hook.got.length, 2);
      rows = await outboxRows(db);
      assert.equal(rows[0].attempts, 2);
      assert.equal(rows[0].nextAt, at('2026-10-10T00:00') + 30 + 60, 'the backoff doubles');
      await civgrid(['tick', '--db', db.db, '--at', String(at('2026-10-10T00:00') + 89)], { env: cleanEnv(env) });
      assert.equal(hook.got.length, 2);
      await civgrid(['tick', '--db', db.db, '--at', String(at('2026-10-10T00:00') + 90)], { env: cleanEnv(env) });
      assert.equal(hook.got.length, 3);
      rows = await outboxRows(db);
      assert.equal(rows[0].attempts, 3);
      assert.equal(rows[0].deliveredAt, at('2026-10-10T00:00') + 90);
      // Every try carried the same notification, signed.
      const ids = new Set(hook.got.map((g) => g.json.id));
      assert.equal(ids.size, 1);
      for (const [i, g] of hook.got.entries()) {
        assert.equal(g.method, 'POST');
        assert.match(g.headers['content-type'], /^application\/json/);
        assert.equal(g.headers['idempotency-key'], g.json.id);
        assert.equal(g.headers['x-civgrid-event'], 'case.overdue');
        assert.equal(g.headers['x-civgrid-signature'],
          'sha256=' + createHmac('sha256', SECRET).update(g.body).digest('hex'));
        assert.equal(g.json.kind, 'case.overdue');
        assert.equal(g.json.attempt, i + 1);
        assert.deepEqual([g.json.data.case_id, g.json.data.stage, g.json.data.card, g.json.data.threshold_days],
          [id, 'accept', 'yellow', 2]);
        assert.equal(g.json.data.due, at('2026-10-10T00:00'));
      }
      // Delivered: not sent again.
      await civgrid(['tick', '--db', db.db, '--at', String(at('2026-10-10T06:00'))], { env: cleanEnv(env) });
      assert.equal(hook.got.length, 3);

      // Red at five working days: 10-08, 10-09, the make-up Saturday 10-10, 10-12, 10-13;
      // the finish card's yellow (5) comes with it.
      await tick(db, '2026-10-13T23:55', env);
      assert.deepEqual(await cards(db, id), ['accept.yellow']);
      await tick(db, '2026-10-14T00:00', env);
      assert.deepEqual(await cards(db, id), ['accept.yellow', 'accept.red', 'finish.yellow']);
      assert.equal(await sql(db, `SELECT card FROM cases WHERE id = ${id}`), 'red');
      // Once per card: the same time again and later give nothing new.
      await tick(db, '2026-10-14T00:05', env);
      rows = await outboxRows(db);
      assert.equal(rows.length, 3, 'one overdue notification per card');
      assert.ok(rows.every((row) => row.deliveredAt > 0));
      await tick(db, '2026-10-20T00:00', env);
      assert.deepEqual(await cards(db, id), ['accept.yellow', 'accept.red', 'finish.yellow']);
      assert.equal(hook.got.length, 5);
      // Delivered rows are kept 7 days for operators, then deleted.
      assert.equal((await outboxRows(db)).length, 2);
      // An accepted case gets no more accept cards; a closed one none at all.
      const accepted = await addCase(db, at('2026-12-30T10:00'), 'accepted');
      await sql(db, `UPDATE cases SET state = 'handling', accepted_at = ${at('2026-12-30T11:00')} WHERE id = ${accepted}`);
      const closed = await addCase(db, at('2026-12-30T10:00'), 'closed');
      await sql(db, `UPDATE cases SET state = 'closed', closed_at = ${at('2026-12-30T11:00')} WHERE id = ${closed}`);
      // Across the new year: 12-31, then 01-04 (2027-01-01 is a holiday).
      await tick(db, '2027-01-04T23:55', env);
      assert.deepEqual(await cards(db, accepted), []);
      await tick(db, '2027-01-05T00:00', env);
      assert.deepEqual(await cards(db, accepted), []);
      assert.deepEqual(await cards(db, closed), []);
    } finally {
      await hook.close();
      await db.drop();
    }
  });

  it('lists overdue cases per unit for supervisors', async () => {
    const db = await makeDb();
    const a = await addCase(db, at('2026-09-30T10:00'), 'late one');
    const b = await addCase(db, at('2026-10-09T10:00'), 'late two'); // 10-10 (make-up), 10-12
    await addCase(db, at('2026-10-13T10:00'), 'on time');
    const r0 = await tick(db, '2026-10-14T09:00');
    assert.equal(r0.code, 0, r0.stdout + r0.stderr);
    const srv = await startServer({ db, env: { CIVGRID_FAKE_NOW: String(at('2026-10-14T09:00')) } });
    try {
      const login = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: srv.adminPassword } });
      const auth = { authorization: `Bearer ${login.json.token}` };
      let r = await request(srv.url, 'GET', '/api/v1/case-overdue', { headers: auth });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.units.length, 1);
      assert.equal(r.json.units[0].unit.area_code, '000000');
      assert.deepEqual([r.json.units[0].yellow, r.json.units[0].red, r.json.units[0].total], [1, 1, 2]);
      assert.deepEqual(r.json.totals, { yellow: 1, red: 1, total: 2 });
      assert.equal(r.json.cases, undefined);
      r = await request(srv.url, 'GET', '/api/v1/case-overdue?unit=000000', { headers: auth });
      assert.deepEqual(r.json.cases.map((c) => [c.id, c.card]), [[a, 'red'], [b, 'yellow']]);
      const u = await request(srv.url, 'POST', '/api/v1/users', {
        headers: auth, body: { username: 'ow1', role: 'grid_worker', scope: '000000', password: PW },
      });
      assert.equal(u.status, 201, u.text);
      const w = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'ow1', password: PW } });
      await assertError(await request(srv.url, 'GET', '/api/v1/case-overdue', {
        headers: { authorization: `Bearer ${w.json.token}` },
      }), 403, 'forbidden');
    } finally {
      await srv.stop();
      await db.drop();
    }
  });

  it('keeps undelivered notifications across a killed server and delivers them after the restart', async () => {
    const db = await makeDb();
    const hook = await receiver(1000);
    const start = at('2026-10-10T00:00');
    try {
      const id = await addCase(db, at('2026-09-30T10:00'));
      // The card and its notification, with no webhook yet: it waits.
      await tick(db, '2026-10-10T00:00');
      let rows = await outboxRows(db);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].attempts, 0);
      // A server whose webhook fails: it tries once, then is killed.
      let srv = await startServer({
        db, args: ['--webhook-url', hook.url], env: { CIVGRID_FAKE_NOW: String(start + 5) },
      });
      const deadline = Date.now() + 8000;
      while (hook.got.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(hook.got.length, 1, srv.stderr());
      const login = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: srv.adminPassword } });
      const list = await request(srv.url, 'GET', '/api/v1/system/outbox', { headers: { authorization: `Bearer ${login.json.token}` } });
      assert.equal(list.status, 200, list.text);
      assert.equal(list.json.webhook_configured, true);
      assert.deepEqual(list.json.counts, { pending: 0, retrying: 1, delivered: 0 });
      assert.equal(list.json.items[0].attempts, 1);
      assert.equal(list.json.items[0].last_error, 'HTTP 500');
      assert.equal(list.json.items[0].last_status, 500);
      srv.proc.kill('SIGKILL');
      await srv.exited;
      rows = await outboxRows(db);
      assert.equal(rows.length, 1, 'the row survived the kill');
      assert.equal(rows[0].deliveredAt, 0);
      // The webhook works again; a new server delivers once the backoff has passed.
      hook.failNext(0);
      srv = await startServer({
        db, args: ['--webhook-url', hook.url], env: { CIVGRID_FAKE_NOW: String(start + 5 + 30) },
      });
      try {
        const until = Date.now() + 8000;
        while ((await outboxRows(db))[0].deliveredAt === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        rows = await outboxRows(db);
        assert.equal(rows[0].deliveredAt, start + 35, srv.stderr());
        assert.equal(rows[0].attempts, 2);
        assert.equal(hook.got.length, 2);
        assert.equal(hook.got[0].json.id, hook.got[1].json.id);
        assert.equal(hook.got[1].json.data.case_id, id);
      } finally {
        await srv.stop({ keepDb: true });
      }
    } finally {
      await hook.close();
      await db.drop();
    }
  });

  it('refuses a webhook URL that is not http or https', async () => {
    const db = await makeDb();
    try {
      const r = await civgrid(['tick', '--db', db.db, '--webhook-url', 'ftp://example.org/x'], { env: cleanEnv() });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /http:\/\/ or https:\/\//);
    } finally {
      await db.drop();
    }
  });

  it('sends each notification once with two servers on one PostgreSQL', { skip: BACKEND !== 'postgresql' }, async () => {
    const db = await makeDb();
    const hook = await receiver(0);
    const now = at('2026-10-10T00:00');
    try {
      for (let i = 0; i < 30; i++) await addCase(db, at('2026-09-30T10:00'), `case ${i}`);
      await tick(db, '2026-10-10T00:00');
      assert.equal((await outboxRows(db)).length, 30);
      const env = { CIVGRID_FAKE_NOW: String(now) };
      const servers = await Promise.all([0, 1].map(() => startServer({ db, args: ['--webhook-url', hook.url], env })));
      try {
        const until = Date.now() + 10000;
        while ((await outboxRows(db)).some((r) => !r.deliveredAt) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        const rows = await outboxRows(db);
        assert.ok(rows.every((r) => r.deliveredAt && r.attempts === 1), JSON.stringify(rows));
        assert.equal(hook.got.length, 30, 'each notification sent once');
        assert.equal(new Set(hook.got.map((g) => g.json.id)).size, 30);
      } finally {
        for (const s of servers) await s.stop({ keepDb: true });
      }
    } finally {
      await hook.close();
      await db.drop();
    }
  });
});
