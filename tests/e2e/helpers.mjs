// Shared helpers of the browser tests: build the UI, start the real civgrid
// binary on a fresh database and a free port, launch Debian's Chromium.
//
// Environment:
//   CIVGRID_BIN          the binary to run (default build/civgrid)
//   CIVGRID_TEST_DB_URL  a postgresql:// URL to use instead of a temp SQLite file
//   CIVGRID_TEST_BACKEND=postgresql with CIVGRID_TEST_PG (a server URL): a fresh
//                        PostgreSQL database for each server
//   CIVGRID_CHROMIUM     the browser (default /usr/bin/chromium)
//   CIVGRID_E2E_KEEP     keep the database in the temp dir even on success (it
//                        is always kept when a test fails; screenshots always are)
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = process.env.CIVGRID_BIN || join(repoRoot, 'build', 'civgrid');
export const webRoot = join(repoRoot, 'web', 'dist');

export const DESKTOP = { width: 1366, height: 800 };
export const PHONE = { width: 390, height: 844 };

const run = promisify(execFile);

/** Builds web/src into web/dist so the test never runs against a stale UI. */
export async function buildWeb() {
  const { build } = await import(join(repoRoot, 'web', 'build.mjs'));
  await build({ quiet: true });
}

/** A port that was free a moment ago (the server binds it right after). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Initialises a database and starts `civgrid serve` on it. With `demo`
 * ({ residents, seed }) the database is the demo city (`civgrid demo`)
 * instead of an empty one, and `demo` in the answer holds its printed logins
 * ({ password, logins: [{ username, role, scope }] }). `serveArgs` go to
 * `civgrid serve` after the usual ones (e.g. ['--export-max-rows', '2']).
 * Returns { url, dir, db, adminPassword, demo, logs(), stop() }.
 */
export async function startServer({ prefix = 'civgrid-e2e-', demo = null, serveArgs = [] } = {}) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} does not exist: build it first (cmake -S . -B build && cmake --build build)`);
  }
  if (!existsSync(join(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html does not exist: run npm run build:web`);
  }
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // On PostgreSQL each server gets a fresh database, made (and later dropped)
  // the way the API tests make theirs.
  const pg = process.env.CIVGRID_TEST_BACKEND === 'postgresql'
    ? await (await import('../api/harness.mjs')).makeDb({ backend: 'postgresql', init: false })
    : null;
  const db = process.env.CIVGRID_TEST_DB_URL || (pg ? pg.db : join(dir, 't.db'));

  let init;
  const setup = demo
    ? ['demo', '--db', db, '--residents', String(demo.residents || 2000), '--seed', String(demo.seed || 1)]
    : ['init', '--db', db];
  try {
    init = await run(binary, setup, { cwd: repoRoot, timeout: 300_000 });
  } catch (e) {
    throw new Error(`civgrid ${setup[0]} failed (${e.code}):\n${e.stdout || ''}${e.stderr || ''}`);
  }
  const m = /admin password:\s*(\S+)/.exec(init.stdout);
  if (!m) throw new Error(`civgrid init printed no "admin password:" line:\n${init.stdout}${init.stderr}`);
  const adminPassword = m[1];

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  // Case photos live beside a SQLite file by default; PostgreSQL needs a folder.
  const files = pg ? ['--data-dir', join(dir, 'files')] : [];
  const serve = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web-root', webRoot, ...files, ...serveArgs];
  const child = spawn(binary, serve, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exit = new Promise((r) => child.on('exit', (code, signal) => { exited = { code, signal }; r(); }));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) {
      throw new Error(`civgrid serve exited (${JSON.stringify(exited)}) before answering:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch (_) {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`civgrid serve did not answer GET /healthz with 200 within 20 s:\n${output}`);
    }
    await sleep(100);
  }

  return {
    url,
    dir,
    db,
    adminPassword,
    demo: demo ? demoLogins(init.stdout) : null,
    logs: () => output,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
      await writeFile(join(dir, 'server.log'), output);
      if (pg) await pg.drop().catch(() => {});
      return exited;
    },
  };
}

/** The "demo logins" block that `civgrid demo` prints (tests/api/demo.test.mjs reads it too). */
function demoLogins(stdout) {
  const m = /demo logins \(password for all: (\S+)\):\n((?: {2}.*\n)+)/.exec(stdout);
  if (!m) throw new Error(`civgrid demo printed no "demo logins" block:\n${stdout}`);
  const logins = m[2].trimEnd().split('\n').map((line) => {
    const [username, role, scope] = line.trim().split(/\s+/);
    return { username, role, scope };
  });
  return { password: m[1], logins };
}

/**
 * Tidies the temp dir: the screenshots and server.log stay (their paths were
 * printed), the database goes. Everything stays when a test failed or
 * CIVGRID_E2E_KEEP is set.
 */
export async function cleanup(dir, { failed = false } = {}) {
  if (failed || process.env.CIVGRID_E2E_KEEP) {
    console.log(`kept ${dir}`);
    return;
  }
  for (const f of await readdir(dir)) {
    if (/\.db(-wal|-shm|-journal)?$/.test(f)) await rm(join(dir, f), { force: true });
  }
}

export async function launchBrowser() {
  // Imported here so that tests which need no browser do not load it.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CIVGRID_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
    ],
  });
}

/**
 * A new page of its own browser context (own cookies, own localStorage).
 * Browser console errors and failed page loads are collected in page.problems.
 */
export async function newPage(browser, baseURL, viewport = DESKTOP) {
  const context = await browser.newContext({
    baseURL,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    deviceScaleFactor: 1,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console: ${msg.text()}`);
  });
  return page;
}

/** Saves a full-page screenshot into dir and prints its path. */
export async function screenshot(page, dir, name) {
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot ${path}`);
  return path;
}

// ---- registry helpers (tests/e2e/registry.test.mjs) -------------------------

/**
 * Runs `civgrid ARGS` (the CLI) and resolves with its standard output;
 * `input` goes to its standard input (for --password-stdin).
 */
export function cli(args, { input } = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(binary, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok(out)
      : fail(new Error(`civgrid ${args.join(' ')} exited ${code}:\n${out}${err}`))));
    child.stdin.end(input ?? '');
  });
}

/** Completes 17 digits into an 18-character resident ID (GB 11643 check digit). */
export function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += w[i] * Number(first17[i]);
  return first17 + '10X98765432'[sum % 11];
}

/**
 * Signs in over the API with a bearer token and returns
 * call(method, path, body) -> { status, body } (body parsed when JSON).
 */
export async function apiSession(url, username, password) {
  const res = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const login = await res.json();
  if (res.status !== 200 || !login.token) throw new Error(`login of ${username}: ${res.status} ${JSON.stringify(login)}`);
  return async function call(method, path, body) {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${login.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed = text;
    try { parsed = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
    return { status: r.status, body: parsed };
  };
}

/** Signs a page in through the login form and waits for the home page. */
export async function loginUI(page, username, password) {
  await page.goto('/');
  await page.waitForURL(/#\/login$/);
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((u) => !/#\/login$/.test(u.href));
}

/** How many pixels the page is wider than its viewport (0 when it fits). */
export function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Opens a hash route and waits until nothing loads any more. */
export async function openRoute(page, path) {
  await page.goto(`/#${path}`);
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.state-loading, [aria-busy="true"]'), null, { timeout: 15000 })
    .catch(() => {});
}

/** The nav routes of the signed-in user and one detail page of each list. */
export async function routesOf(page) {
  const nav = await page.$$eval('#sidenav a.nav-link', (as) => as.map((a) => a.getAttribute('href').slice(1)));
  const out = [...nav];
  for (const [list, prefix] of [['/areas', '#/areas/'], ['/residents', '#/residents/'], ['/ledgers', '#/ledgers/'], ['/cases', '#/cases/']]) {
    if (!nav.includes(list)) continue;
    await openRoute(page, list);
    if (list === '/residents') {
      // The list shows rows after a search; an empty search lists everyone in scope.
      const btn = await page.$('form[role=search] button[type=submit]');
      if (btn) {
        await btn.click();
        await page.waitForLoadState('networkidle');
      }
    }
    const href = await page.$$eval(`a[href^="${prefix}"]`, (as) => (as[0] ? as[0].getAttribute('href') : null));
    if (href) out.push(href.slice(1));
  }
  return out;
}
