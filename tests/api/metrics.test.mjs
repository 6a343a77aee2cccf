// Observability: GET /metrics in Prometheus text format counts requests by
// route, method and status, has well-formed latency histograms for HTTP and
// database, and the access log on stderr has one line per request.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, request, BACKEND } from './harness.mjs';

/** Parses Prometheus text: {samples: [{name, labels, value}], types: {name: type}}. */
function parseMetrics(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const t = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
    if (t) { types[t[1]] = t[2]; continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?\s*$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[3]) {
      for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    }
    const value = m[4] === '+Inf' ? Infinity : Number(m[4]);
    assert.ok(!Number.isNaN(value), `not a number in: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types };
}

const sum = (samples, name, pred = () => true) =>
  samples.filter((s) => s.name === name && pred(s.labels)).reduce((a, s) => a + s.value, 0);

/** Checks one histogram: cumulative buckets, a +Inf bucket equal to _count, a _sum. */
function checkHistogram(m, base) {
  assert.equal(m.types[base], 'histogram', `# TYPE ${base} histogram missing`);
  const buckets = m.samples.filter((s) => s.name === `${base}_bucket`);
  assert.ok(buckets.length > 1, `${base}_bucket lines missing`);
  // Group the series by their labels other than "le".
  const groups = new Map();
  for (const b of buckets) {
    assert.ok('le' in b.labels, `${base}_bucket without le`);
    const { le, ...rest } = b.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (!groups.has(key)) groups.set(key, { rest, list: [] });
    groups.get(key).list.push({ le: le === '+Inf' ? Infinity : Number(le), value: b.value });
  }
  for (const { rest, list } of groups.values()) {
    list.sort((a, b) => a.le - b.le);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i].value >= list[i - 1].value, `${base} buckets are not cumulative: ${JSON.stringify(list)}`);
    }
    const inf = list.at(-1);
    assert.equal(inf.le, Infinity, `${base} has no le="+Inf" bucket`);
    const same = (s) => JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(rest).sort());
    const count = m.samples.find((s) => s.name === `${base}_count` && same(s));
    const total = m.samples.find((s) => s.name === `${base}_sum` && same(s));
    assert.ok(count, `${base}_count missing for ${JSON.stringify(rest)}`);
    assert.ok(total, `${base}_sum missing for ${JSON.stringify(rest)}`);
    assert.equal(inf.value, count.value, `${base}: +Inf bucket != _count`);
    assert.ok(total.value >= 0);
  }
}

describe(`metrics and access log (${BACKEND})`, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  async function scrape() {
    const r = await request(srv.url, 'GET', '/metrics');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /^text\/plain/);
    return parseMetrics(r.text);
  }

  // Proves: the request counter counts exactly the requests made, under their
  // route, method and status, and errors are counted under their status.
  it('civgrid_http_requests_total counts requests', async () => {
    const isVersion = (l) => l.route === '/api/v1/version' && l.method === 'GET' && l.status === '200';
    const before = await scrape();
    assert.equal(before.types.civgrid_http_requests_total, 'counter');
    for (let i = 0; i < 3; i++) assert.equal((await request(srv.url, 'GET', '/api/v1/version')).status, 200);
    assert.equal((await request(srv.url, 'GET', '/api/v1/no-such-route')).status, 404);
    const afterM = await scrape();
    assert.equal(
      sum(afterM.samples, 'civgrid_http_requests_total', isVersion) -
      sum(before.samples, 'civgrid_http_requests_total', isVersion), 3,
      'GET /api/v1/version 200 should have grown by exactly 3');
    assert.equal(
      sum(afterM.samples, 'civgrid_http_requests_total', (l) => l.status === '404') -
      sum(before.samples, 'civgrid_http_requests_total', (l) => l.status === '404'), 1,
      'requests with status 404 should have grown by exactly 1');
  });

  // Proves: the HTTP latency histogram is well formed and counts requests.
  it('civgrid_http_request_duration_seconds histogram', async () => {
    const before = await scrape();
    checkHistogram(before, 'civgrid_http_request_duration_seconds');
    for (let i = 0; i < 2; i++) await request(srv.url, 'GET', '/api/v1/version');
    const afterM = await scrape();
    checkHistogram(afterM, 'civgrid_http_request_duration_seconds');
    const grew = sum(afterM.samples, 'civgrid_http_request_duration_seconds_count') -
      sum(before.samples, 'civgrid_http_request_duration_seconds_count');
    assert.ok(grew >= 2, `_count grew by ${grew}, expected at least 2`);
  });

  // Proves: database queries are timed, and database errors have a counter.
  it('civgrid_db_query_duration_seconds histogram and civgrid_db_errors_total', async () => {
    const before = await scrape();
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: 'wrong' } });
    assert.equal(r.status, 401, r.text);
    const afterM = await scrape();
    checkHistogram(afterM, 'civgrid_db_query_duration_seconds');
    const grew = sum(afterM.samples, 'civgrid_db_query_duration_seconds_count') -
      sum(before.samples, 'civgrid_db_query_duration_seconds_count');
    assert.ok(grew >= 1, 'a login attempt should have timed at least one database query');
    assert.ok(afterM.samples.some((s) => s.name === 'civgrid_db_errors_total'), 'civgrid_db_errors_total missing');
    assert.equal(afterM.types.civgrid_db_errors_total, 'counter');
  });

  // Proves: the group-commit writer counts its jobs and batches: a signed-in
  // account list is an audited read, one job through the writer.
  it('civgrid_writer_jobs_total and civgrid_writer_batches_total count the writer', async () => {
    const login = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: srv.adminPassword } });
    assert.equal(login.status, 200, login.text);
    const headers = { authorization: `Bearer ${login.json.token}` };
    const before = await scrape();
    for (let i = 0; i < 3; i++) {
      const r = await request(srv.url, 'GET', `/api/v1/residents?q=metrics${i}`, { headers });
      assert.equal(r.status, 200, r.text);
    }
    const afterM = await scrape();
    for (const name of ['civgrid_writer_jobs_total', 'civgrid_writer_batches_total', 'civgrid_writer_failed_jobs_total',
      'civgrid_writer_failed_batches_total', 'civgrid_writer_batch_seconds_total']) {
      assert.equal(afterM.types[name], 'counter', `# TYPE ${name} counter missing`);
    }
    const grew = (name) => sum(afterM.samples, name) - sum(before.samples, name);
    assert.equal(grew('civgrid_writer_jobs_total'), 3, 'three searches, three audit records through the writer');
    assert.ok(grew('civgrid_writer_batches_total') >= 1 && grew('civgrid_writer_batches_total') <= 3);
    assert.ok(grew('civgrid_writer_batch_seconds_total') > 0);
  });

  // Proves: every request leaves exactly one access-log line on stderr with its
  // method, path, status and duration.
  it('one access-log line per request', async () => {
    const p = `/api/v1/log-probe-${randomBytes(6).toString('hex')}`;
    for (let i = 0; i < 3; i++) assert.equal((await request(srv.url, 'GET', p)).status, 404);
    // The line may be written just after the response: give it a moment.
    let lines = [];
    for (let i = 0; i < 40; i++) {
      lines = srv.stderr().split('\n').filter((l) => l.includes(p));
      if (lines.length >= 3) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(lines.length, 3, `expected 3 access-log lines for ${p}, got:\n${lines.join('\n')}`);
    for (const l of lines) {
      assert.match(l, /\bGET\b/, `no method in: ${l}`);
      assert.match(l, /\b404\b/, `no status in: ${l}`);
      assert.match(l, /(\d+(\.\d+)?\s*(ns|us|µs|ms|s)\b)|(dur\w*|elapsed|took|time)\W*\d/i, `no duration in: ${l}`);
    }
  });
});
