// Shared helpers for the black-box API tests: they run the real `civgrid`
// binary (CIVGRID_BIN) on a fresh database of the backend named by
// CIVGRID_TEST_BACKEND (sqlite, the default, or postgresql with a server at
// CIVGRID_TEST_PG), and talk to it over HTTP with Node's built-in fetch.
// No npm packages: Node's standard library only.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(process.env.CIVGRID_BIN || path.join(ROOT, 'build', 'civgrid'));
export const BACKEND = process.env.CIVGRID_TEST_BACKEND || 'sqlite';
export const PG_URL = process.env.CIVGRID_TEST_PG || '';

if (BACKEND !== 'sqlite' && BACKEND !== 'postgresql') {
  throw new Error(`CIVGRID_TEST_BACKEND must be sqlite or postgresql, not "${BACKEND}"`);
}
if (BACKEND === 'postgresql' && !PG_URL) {
  throw new Error('CIVGRID_TEST_BACKEND=postgresql needs CIVGRID_TEST_PG (a PostgreSQL URL)');
}

// Every child we start, so that none outlives the test process.
const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/** Runs a program to completion: {code, signal, stdout, stderr}. Never throws on a non-zero exit. */
export function run(cmd, args, { env, input, cwd, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env || process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no exit after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); children.delete(child); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Runs the civgrid binary: {code, signal, stdout, stderr}. */
export function civgrid(args, opts = {}) {
  return run(BIN, args, opts);
}

/** The environment without any CIVGRID_* configuration variable, plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Keep only the test settings (CIVGRID_BIN, CIVGRID_TEST_*), none of the server's.
    if (!k.startsWith('CIVGRID_') || k === 'CIVGRID_BIN' || k.startsWith('CIVGRID_TEST_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** A free TCP port on 127.0.0.1 (free at the time of asking). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function pgUrlFor(dbName) {
  const u = new URL(PG_URL);
  u.pathname = '/' + dbName;
  return u.toString();
}

async function psql(url, sql) {
  const r = await run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-t', '-A', '-c', sql]);
  if (r.code !== 0) throw new Error(`psql failed (${r.code}) on: ${sql}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Runs one SQL statement on a database made by makeDb() and returns the output
 * (rows as lines, columns separated by "|"), with the sqlite3 CLI or psql.
 */
export async function sql(db, statement) {
  if (db.backend === 'postgresql') return psql(db.db, statement);
  const r = await run('sqlite3', ['-bail', db.db, statement]);
  if (r.code !== 0) throw new Error(`sqlite3 failed (${r.code}) on: ${statement}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Makes a fresh database and runs `civgrid init` on it.
 * Returns {backend, dir, db, adminPassword, initOutput, drop()}; `db` is what
 * --db takes (a file path for SQLite, a URL for PostgreSQL). drop() removes
 * the database and the temporary directory.
 */
export async function makeDb({ backend = BACKEND, init = true } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-api-'));
  let db, pgName = null;
  if (backend === 'postgresql') {
    pgName = `civgrid_t_${process.pid}_${randomBytes(4).toString('hex')}`;
    // A Chinese locale, as a deployment in China would have: it sorts text
    // unlike bytes, which is what catches code that assumes byte order.
    await psql(PG_URL, `CREATE DATABASE ${pgName} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'zh-CN' LOCALE 'C'`);
    db = pgUrlFor(pgName);
  } else {
    db = path.join(dir, 't.db');
  }
  const out = {
    backend, dir, db, adminPassword: null, initOutput: null,
    async drop() {
      if (pgName) {
        await psql(PG_URL, `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`).catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (init) {
    const r = await civgrid(['init', '--db', db], { env: cleanEnv() });
    out.initOutput = r;
    if (r.code !== 0) {
      await out.drop();
      throw new Error(`civgrid init --db ${db} exited ${r.code}${r.signal ? ' (' + r.signal + ')' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
    const m = /admin password:\s*(\S+)/.exec(r.stdout);
    if (!m) {
      await out.drop();
      throw new Error(`civgrid init printed no "admin password: ..." line\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
    out.adminPassword = m[1];
  }
  return out;
}

/**
 * Starts `civgrid serve` on a free loopback port and waits until GET /healthz
 * answers 200 (10 s at most; on failure the error carries the server's stderr).
 *
 * Options: backend, db (an object from makeDb() to reuse; otherwise a fresh one
 * is made and dropped on stop()), threads, args (more flags), env (more
 * variables), readyTimeoutMs.
 *
 * Returns {url, port, db, dbInfo, adminPassword, proc, stderr(), stop(), kill(),
 * exited}. stop() sends SIGTERM (or `signal`), waits for the exit and asserts
 * it was a clean exit with code 0.
 */
export async function startServer({
  backend = BACKEND, db = null, threads = null, args = [], env = {}, readyTimeoutMs = 10000,
} = {}) {
  const ownDb = !db;
  const dbInfo = db || await makeDb({ backend });
  const port = await freePort();
  const argv = ['serve', '--db', dbInfo.db, '--listen', `127.0.0.1:${port}`];
  if (threads) argv.push('--threads', String(threads));
  // Case photos live beside a SQLite file by default; a PostgreSQL server
  // has no file to stand beside, so it gets the test's temporary directory.
  if (backend === 'postgresql' && dbInfo.dir && !args.some((a) => /^--data[-_]dir/.test(a))) {
    argv.push('--data-dir', path.join(dbInfo.dir, 'files'));
  }
  argv.push(...args);

  const proc = spawn(BIN, argv, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let stderr = '', stdout = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  proc.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { children.delete(proc); resolve({ code, signal }); });
    proc.on('error', (e) => { children.delete(proc); resolve({ code: null, signal: null, error: e }); });
  });
  let exitInfo = null;
  exited.then((e) => { exitInfo = e; });

  const url = `http://127.0.0.1:${port}`;
  const describe = () => `civgrid ${argv.join(' ')}\nstderr:\n${stderr}\nstdout:\n${stdout}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitInfo) {
      if (ownDb) await dbInfo.drop();
      throw new Error(`server exited before it was ready (code ${exitInfo.code}, signal ${exitInfo.signal}${exitInfo.error ? ', ' + exitInfo.error.message : ''})\n${describe()}`);
    }
    try {
      const r = await fetch(url + '/healthz', { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await exited;
      if (ownDb) await dbInfo.drop();
      throw new Error(`GET /healthz did not answer 200 within ${readyTimeoutMs} ms\n${describe()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  let stopped = false;
  return {
    url, port, proc, exited, argv,
    db: dbInfo.db, dbInfo, adminPassword: dbInfo.adminPassword,
    stderr: () => stderr,
    stdout: () => stdout,
    /** Signals the server, waits for it to exit, asserts exit code 0. */
    async stop({ signal = 'SIGTERM', timeoutMs = 15000, keepDb = false } = {}) {
      if (stopped) return exitInfo;
      stopped = true;
      if (!exitInfo) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const e = await exited;
      clearTimeout(timer);
      if (ownDb && !keepDb) await dbInfo.drop();
      if (e.code !== 0 || e.signal) {
        throw new Error(`server did not exit cleanly after ${signal}: code ${e.code}, signal ${e.signal}` +
          (e.signal === 'SIGKILL' ? ` (still running after ${timeoutMs} ms)` : '') + `\n${describe()}`);
      }
      return e;
    },
    /** Ends the server without any assertion (for cleanup after a failure). */
    async kill() {
      stopped = true;
      if (!exitInfo) proc.kill('SIGKILL');
      await exited;
      if (ownDb) await dbInfo.drop();
    },
  };
}

/**
 * One HTTP request: {status, headers, text, json}. `body` may be a string
 * (sent as is) or any other value (sent as JSON).
 */
export async function request(base, method, urlPath, { body, headers = {}, timeoutMs = 30000 } = {}) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (!Object.keys(init.headers).some((k) => k.toLowerCase() === 'content-type')) {
      init.headers['content-type'] = 'application/json';
    }
  }
  const r = await fetch(base + urlPath, init);
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.status, headers: r.headers, text, json };
}

/** The repository file at `rel` (relative to the repository root). */
export function repoFile(rel) {
  return readFileSync(path.join(ROOT, rel), 'utf8');
}

/**
 * Asserts that `res` (from request()) is the error `code` with HTTP `status`
 * in the one error shape: {"error":"snake_case","message":"...", "field"?}.
 */
export async function assertError(res, status, code, { field } = {}) {
  const { default: assert } = await import('node:assert/strict');
  const where = `${res.status} ${res.text}`;
  assert.equal(res.status, status, `expected HTTP ${status}, got ${where}`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `error must be JSON: ${where}`);
  assert.ok(res.json && typeof res.json === 'object', `error body is not a JSON object: ${where}`);
  assert.equal(res.json.error, code, `expected error "${code}": ${where}`);
  assert.match(res.json.error, /^[a-z][a-z0-9_]*$/, `error code must be snake_case: ${where}`);
  assert.equal(typeof res.json.message, 'string', `message must be a string: ${where}`);
  assert.ok(res.json.message.length > 0, `message must not be empty: ${where}`);
  if (field !== undefined) {
    assert.equal(res.json.field, field, `expected "field":"${field}": ${where}`);
    assert.ok(res.json.message.includes(field), `message should name the field "${field}": ${where}`);
  }
}

/** A valid 18-digit resident ID number from its first 17 digits (GB 11643). */
export function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}
