// The command line: exit codes and messages of `civgrid`, the precedence of
// configuration sources (flag > environment > config file > default) as shown
// by `serve --print-config`, and the refusal to serve a database newer than
// the binary.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { civgrid, cleanEnv, makeDb, sql, freePort, repoFile, BACKEND } from './harness.mjs';

const show = (r) => `exit ${r.code}${r.signal ? ' (' + r.signal + ')' : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('civgrid commands', () => {
  // Proves: `civgrid version` prints the version the project declares in CMakeLists.txt.
  it('version prints the project version', async () => {
    const want = /project\(civgrid\s+VERSION\s+([0-9.]+)/.exec(repoFile('CMakeLists.txt'))[1];
    const r = await civgrid(['version'], { env: cleanEnv() });
    assert.equal(r.code, 0, show(r));
    assert.ok(r.stdout.includes(want), `expected ${want} in: ${show(r)}`);
  });

  // Proves: --help lists the commands a user needs to start.
  it('--help lists the commands', async () => {
    const r = await civgrid(['--help'], { env: cleanEnv() });
    assert.equal(r.code, 0, show(r));
    for (const cmd of ['serve', 'init', 'version', 'help']) {
      assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`), `--help does not list "${cmd}": ${show(r)}`);
    }
  });

  // Proves: `help serve` documents every serve option.
  it('help serve prints the usage of serve', async () => {
    const r = await civgrid(['help', 'serve'], { env: cleanEnv() });
    assert.equal(r.code, 0, show(r));
    for (const opt of ['--db', '--listen', '--threads', '--max-body', '--busy-timeout-ms',
      '--config', '--print-config', '--web-root']) {
      assert.ok(r.stdout.includes(opt), `help serve does not mention ${opt}: ${show(r)}`);
    }
  });

  // Proves: an unknown command is a usage error (exit 2) explained on stderr.
  it('unknown command -> exit 2 with a message', async () => {
    const r = await civgrid(['frobnicate'], { env: cleanEnv() });
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /frobnicate/, `stderr should name the unknown command: ${show(r)}`);
  });

  // Proves: init refuses to guess a database and says which flag is missing.
  it('init without --db or CIVGRID_DB -> exit 2 naming --db', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-cli-'));
    try {
      // In an empty directory, so that a wrongly guessed default lands nowhere that matters.
      const r = await civgrid(['init'], { env: cleanEnv(), cwd: dir });
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /--db/, show(r));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Parses `--print-config` output into {key: {value, source}}. */
function parseConfig(text) {
  const out = {};
  let pendingSource = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const c = /^#\s*from\s+(flag|env|file|default)\b/.exec(line);
    if (c) { pendingSource = c[1]; continue; }
    if (line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*(?:#\s*from\s+(flag|env|file|default)\b.*)?$/.exec(line);
    if (!m) continue;
    out[m[1].replace(/-/g, '_')] = { value: m[2], source: m[3] || pendingSource };
    pendingSource = null;
  }
  return out;
}

describe('configuration precedence (serve --print-config)', () => {
  let dir, cfgFile;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'civgrid-cfg-'));
    cfgFile = path.join(dir, 'civgrid.conf');
    writeFileSync(cfgFile, [
      '# a config file as an operator writes it',
      'listen = 127.0.0.1:9001',
      'threads = 3',
      `db = ${path.join(dir, 'from-file.db')}`,
      '',
    ].join('\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function printConfig(args, env) {
    const r = await civgrid(['serve', '--print-config', ...args], { env: cleanEnv(env), timeoutMs: 10000 });
    assert.equal(r.code, 0, show(r));
    return parseConfig(r.stdout);
  }

  // Proves: with no flag, environment or file, the defaults are used and labelled so.
  it('defaults', async () => {
    const c = await printConfig(['--db', path.join(dir, 'x.db')], {});
    assert.equal(c.db?.source, 'flag', JSON.stringify(c));
    assert.equal(c.listen?.source, 'default', JSON.stringify(c));
    assert.equal(c.threads?.source, 'default', JSON.stringify(c));
  });

  // Proves: values in the config file are used when nothing overrides them.
  it('file over default', async () => {
    const c = await printConfig(['--config', cfgFile], {});
    assert.deepEqual(c.listen, { value: '127.0.0.1:9001', source: 'file' });
    assert.deepEqual(c.threads, { value: '3', source: 'file' });
    assert.deepEqual(c.db, { value: path.join(dir, 'from-file.db'), source: 'file' });
  });

  // Proves: an environment variable beats the config file.
  it('env over file', async () => {
    const c = await printConfig(['--config', cfgFile],
      { CIVGRID_LISTEN: '127.0.0.1:9002', CIVGRID_DB: path.join(dir, 'from-env.db') });
    assert.deepEqual(c.listen, { value: '127.0.0.1:9002', source: 'env' });
    assert.deepEqual(c.db, { value: path.join(dir, 'from-env.db'), source: 'env' });
    assert.deepEqual(c.threads, { value: '3', source: 'file' });
  });

  // Proves: a flag beats both the environment and the config file.
  it('flag over env over file', async () => {
    const c = await printConfig(['--config', cfgFile, '--listen', '127.0.0.1:9003', '--threads', '7'],
      { CIVGRID_LISTEN: '127.0.0.1:9002', CIVGRID_THREADS: '5' });
    assert.deepEqual(c.listen, { value: '127.0.0.1:9003', source: 'flag' });
    assert.deepEqual(c.threads, { value: '7', source: 'flag' });
    assert.deepEqual(c.db, { value: path.join(dir, 'from-file.db'), source: 'file' });
  });

  // Proves: an environment variable alone beats the default.
  it('env over default', async () => {
    const c = await printConfig(['--db', path.join(dir, 'x.db')], { CIVGRID_THREADS: '5' });
    assert.deepEqual(c.threads, { value: '5', source: 'env' });
  });
});

describe(`database newer than the binary (${BACKEND})`, () => {
  // Proves: serve refuses a database whose schema is ahead of the binary,
  // instead of running old code on it, and says why.
  it('serve exits non-zero with a message containing "newer"', async () => {
    const db = await makeDb();
    try {
      await sql(db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, 'future', 0)");
      const port = await freePort();
      const r = await civgrid(['serve', '--db', db.db, '--listen', `127.0.0.1:${port}`],
        { env: cleanEnv(), timeoutMs: 10000 });
      assert.notEqual(r.code, 0, show(r));
      assert.equal(r.signal, null, show(r));
      assert.match(r.stderr, /newer/, show(r));
    } finally {
      await db.drop();
    }
  });
});
