// The scheduler (lib/sched.c, `civgrid tick`, the thread in `civgrid serve`).
// Proves, with a controlled clock (--at, CIVGRID_FAKE_NOW): a job runs once per
// period (twice at the same time runs it once; a period later it runs again;
// many missed periods run it once); a due run happens in exactly one process
// (concurrent ticks; on PostgreSQL two servers sharing the database); a
// failure is reported with the job's name and retried at the next period, not
// sooner; expired and revoked sessions are deleted a day later; the server
// runs the table by itself and shows it at GET /api/v1/system/jobs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { civgrid, cleanEnv, makeDb, sql, startServer, request, BACKEND } from './harness.mjs';

const HOUR = 3600;
const DAY = 86400;
// 2030-01-01 00:00 in Asia/Shanghai (UTC+8), the start of an hour: the hourly
// job's periods begin at T, T + 1 h, ...
const T = Date.UTC(2029, 11, 31, 16, 0, 0) / 1000;

const tick = (db, args = [], env = {}) => civgrid(['tick', '--db', db.db, ...args], { env: cleanEnv(env) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether a tick's output says the job ran with this outcome. */
function ran(res, name, outcome = 'ok') {
  return new RegExp(`^${name.replace('.', '\\.')}\\s+${outcome}\\s+[0-9.]+ ms`, 'm').test(res.stdout);
}

async function job(db, name = 'session.expire') {
  const row = await sql(db, `SELECT runs, failures, next_due, COALESCE(owner, ''), COALESCE(lease_until, 0),
    COALESCE(last_outcome, ''), COALESCE(last_run, 0) FROM sched_jobs WHERE name = '${name}'`);
  if (!row) return null;
  const [runs, failures, nextDue, owner, leaseUntil, outcome, lastRun] = row.split('|');
  return { runs: +runs, failures: +failures, nextDue: +nextDue, owner, leaseUntil: +leaseUntil, outcome, lastRun: +lastRun };
}

/** Adds a session of the admin with these times (null: not revoked). */
async function addSession(db, tag, expiresAt, revokedAt = null) {
  await sql(db, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, revoked_at)
    VALUES ('${tag}', (SELECT id FROM users WHERE username = 'admin'), 0, ${expiresAt}, ${revokedAt ?? 'NULL'})`);
}

async function sessionTags(db) {
  const out = await sql(db, "SELECT token_hash FROM sessions WHERE token_hash LIKE 't-%' ORDER BY token_hash");
  return out ? out.split('\n') : [];
}

async function until(what, check, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe(`civgrid tick (${BACKEND})`, () => {
  it('runs a job once per period, and a missed stretch of periods once', async () => {
    const db = await makeDb();
    try {
      let r = await tick(db, ['--at', '2030-01-01T00:00']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(ran(r, 'session.expire'), r.stdout);

      r = await tick(db, ['--at', '2030-01-01T00:00']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!ran(r, 'session.expire'), `ran twice at one time:\n${r.stdout}`);
      assert.match(r.stdout, /nothing due at 2030-01-01 00:00:00/);

      r = await tick(db, ['--at', String(T + HOUR / 2)]); // epoch seconds, within the period
      assert.ok(!ran(r, 'session.expire'), r.stdout);

      r = await tick(db, ['--at', '2030-01-01T01:00:00+08:00']); // the next period
      assert.equal(r.code, 0, r.stderr);
      assert.ok(ran(r, 'session.expire'), r.stdout);
      r = await tick(db, ['--at', '2029-12-31T17:00:00Z']); // the same instant in UTC
      assert.ok(!ran(r, 'session.expire'), r.stdout);
      assert.equal((await job(db)).runs, 2);

      r = await tick(db, ['--at', String(T + 10 * DAY + 60)]); // 240 periods later
      assert.ok(ran(r, 'session.expire'), r.stdout);
      r = await tick(db, ['--at', String(T + 10 * DAY + 120)]);
      assert.ok(!ran(r, 'session.expire'), `missed periods ran again:\n${r.stdout}`);
      const j = await job(db);
      assert.equal(j.runs, 3);
      assert.equal(j.nextDue, T + 10 * DAY + HOUR, 'next due at the next whole hour');
      assert.equal(j.lastRun, T + 10 * DAY + 60);
      assert.equal(j.leaseUntil, 0, 'the lease is given up after the run');
      assert.match(j.owner, /^tick@/);

      // Without --at the clock is CIVGRID_FAKE_NOW's, as everywhere.
      const env = { CIVGRID_FAKE_NOW: String(T + 20 * DAY) };
      r = await tick(db, [], env);
      assert.ok(ran(r, 'session.expire'), r.stdout);
      r = await tick(db, [], env);
      assert.ok(!ran(r, 'session.expire'), r.stdout);
      assert.equal((await job(db)).lastRun, T + 20 * DAY);

      r = await tick(db, ['--list'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^session\.expire\s+cluster\s+3600s\s+2030-01-21 01:00:00\s+2030-01-21 00:00:00\s+ok\s+\d+\s+4\s+0\s+tick@/m);
    } finally {
      await db.drop();
    }
  });

  it('deletes sessions expired or revoked more than a day ago, and no others', async () => {
    const db = await makeDb();
    try {
      await addSession(db, 't-expired-long-ago', T - DAY - 10);
      await addSession(db, 't-expired-lately', T - HOUR);
      await addSession(db, 't-revoked-long-ago', T + HOUR, T - DAY - 10);
      await addSession(db, 't-revoked-lately', T + HOUR, T - 60);
      await addSession(db, 't-live', T + HOUR);
      const r = await tick(db, ['--at', String(T)]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await sessionTags(db), ['t-expired-lately', 't-live', 't-revoked-lately']);
      // A day later the recent ones go too; the live one has expired by then.
      await tick(db, ['--at', String(T + DAY + HOUR + 1)]);
      assert.deepEqual(await sessionTags(db), []);
    } finally {
      await db.drop();
    }
  });

  it('reports a failure with the job name, exits 1, and retries at the next period only', async () => {
    const db = await makeDb();
    try {
      await sql(db, 'ALTER TABLE sessions RENAME TO sessions_away');
      let r = await tick(db, ['--at', String(T)]);
      assert.equal(r.code, 1, `a failed job must fail the tick:\n${r.stdout}\n${r.stderr}`);
      assert.ok(ran(r, 'session.expire', 'database_error'), r.stdout);
      assert.match(r.stderr, /job session\.expire failed: database error/);
      assert.match(r.stderr, /civgrid tick: 1 of \d+ jobs failed/); // every job of the table ran
      let j = await job(db);
      assert.deepEqual([j.runs, j.failures, j.outcome, j.leaseUntil], [1, 1, 'database_error', 0]);
      const list = await tick(db, ['--list']);
      assert.match(list.stdout, /last failure: database error/);

      r = await tick(db, ['--at', String(T + 60)]);
      assert.equal(r.code, 0, 'not retried before the next period');
      assert.ok(!ran(r, 'session.expire', '\\S+'), r.stdout);

      await sql(db, 'ALTER TABLE sessions_away RENAME TO sessions');
      r = await tick(db, ['--at', String(T + HOUR)]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(ran(r, 'session.expire'), r.stdout);
      j = await job(db);
      assert.deepEqual([j.runs, j.failures, j.outcome], [2, 1, 'ok']);
    } finally {
      await db.drop();
    }
  });

  it('runs a due job in exactly one of several concurrent ticks', async () => {
    const db = await makeDb();
    try {
      for (const at of [T, T + HOUR, T + 2 * HOUR]) {
        const results = await Promise.all(Array.from({ length: 6 }, () => tick(db, ['--at', String(at)])));
        for (const r of results) assert.equal(r.code, 0, r.stderr);
        assert.equal(results.filter((r) => ran(r, 'session.expire')).length, 1,
          results.map((r) => r.stdout).join('\n'));
      }
      assert.equal((await job(db)).runs, 3);
    } finally {
      await db.drop();
    }
  });

  it('refuses bad arguments with a clear message', async () => {
    const db = await makeDb();
    try {
      for (const [args, msg] of [
        [['--at', 'yesterday'], /--at 'yesterday' is not a time/],
        [['--at', '2030-02-30'], /--at '2030-02-30' is not a time/],
        [['--at', '2030-01-01T25:00'], /is not a time/],
        [['--at', String(T), '--list'], /--at and --list go separately/],
        [['extra'], /unexpected argument 'extra'/],
      ]) {
        const r = await tick(db, args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, msg);
      }
      const r = await civgrid(['tick'], { env: cleanEnv() });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no database given/);
    } finally {
      await db.drop();
    }
  });
});

describe(`the scheduler in civgrid serve (${BACKEND})`, () => {
  it('runs the table by itself and shows it to admins', async () => {
    const db = await makeDb();
    let srv;
    try {
      await addSession(db, 't-old', T - 2 * DAY);
      srv = await startServer({ db, env: { CIVGRID_FAKE_NOW: String(T) } });
      await until('the expired session to go', async () => (await sessionTags(db)).length === 0);
      const login = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: db.adminPassword } });
      assert.equal(login.status, 200, login.text);
      const headers = { authorization: `Bearer ${login.json.token}` };
      const res = await request(srv.url, 'GET', '/api/v1/system/jobs', { headers });
      assert.equal(res.status, 200, res.text);
      const byName = Object.fromEntries(res.json.items.map((x) => [x.name, x]));
      const expire = byName['session.expire'];
      assert.equal(expire.kind, 'cluster');
      assert.equal(expire.period_seconds, HOUR);
      assert.equal(expire.runs, 1, res.text);
      assert.equal(expire.last_run, T);
      assert.equal(expire.next_due, T + HOUR);
      assert.equal(expire.last_outcome, 'ok');
      assert.match(expire.owner, new RegExp(`^serve@.*:${srv.proc.pid}$`));
      if (BACKEND === 'sqlite') {
        // The read log's move is this server's own job, every second.
        const move = byName['readlog.move'];
        assert.equal(move.kind, 'local');
        assert.equal(move.period_seconds, 1);
        assert.ok(move.runs >= 1, res.text);
        assert.equal(move.last_outcome, 'ok');
      } else {
        assert.equal(byName['readlog.move'], undefined, 'PostgreSQL has no read log');
      }
      await srv.stop();
      srv = null;
      assert.equal((await job(db)).leaseUntil, 0, 'no lease left after a clean stop');
    } finally {
      if (srv) await srv.kill();
      await db.drop();
    }
  });

  it('two servers sharing one PostgreSQL run each due job on one of them', {
    skip: BACKEND !== 'postgresql' && 'several servers share a PostgreSQL database',
  }, async () => {
    const db = await makeDb();
    const servers = [];
    try {
      servers.push(await startServer({ db }), await startServer({ db }));
      const pids = servers.map((s) => String(s.proc.pid));
      await until('the first run', async () => (await job(db))?.runs === 1);
      for (let round = 0; round < 6; round++) {
        const before = (await job(db)).runs;
        await addSession(db, `t-round-${round}`, 1000);
        // Make the job due again at once: both servers see it at their next check.
        await sql(db, "UPDATE sched_jobs SET next_due = 0 WHERE name = 'session.expire'");
        await until(`round ${round}'s run`, async () => (await job(db)).runs > before);
        await sleep(1500); // both servers have checked again since
        const j = await job(db);
        assert.equal(j.runs, before + 1, `round ${round}: the due run ran ${j.runs - before} times`);
        assert.equal(j.leaseUntil, 0);
        assert.deepEqual(await sessionTags(db), []);
        const pid = /:(\d+)$/.exec(j.owner)?.[1];
        assert.ok(pids.includes(pid), `owner ${j.owner} is one of the servers ${pids}`);
      }
      for (const s of servers) await s.stop();
      servers.length = 0;
    } finally {
      for (const s of servers) await s.kill();
      await db.drop();
    }
  });
});
