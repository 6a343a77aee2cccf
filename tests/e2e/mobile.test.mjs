// Phone and tablet (issue 9, finding 8) and the browser's own texts (finding 5):
// every page of every demo role fits a 390 px phone without sideways scroll,
// tables at 800 px keep their columns on screen and readable, a long user
// name does not widen the page, and a required field left empty is named in
// the UI's words and language, not the browser's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  apiSession, binary, buildWeb, cleanup, cli, freePort, launchBrowser, newPage, repoRoot, screenshot, webRoot,
} from './helpers.mjs';

const { messages } = await import(join(repoRoot, 'web/src/messages.js'));

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 800, height: 1000 };
const WIDE = { width: 1280, height: 900 };
// 98 bytes (the most a display name may have is 100), a long run without a
// space where a line could break.
const LONG_NAME = '欧阳诸葛司马上官东方长孙慕容宇Wolfeschlegelsteinhausenbergerdorff-Konstantinopoulou';

let dir;
let db;
let pg;
let server;
let url;
let browser;
let logins;
let password;
let failed = false;

async function startDemo() {
  dir = await mkdtemp(join(tmpdir(), 'civgrid-e2e-mobile-'));
  pg = process.env.CIVGRID_TEST_BACKEND === 'postgresql'
    ? await (await import('../api/harness.mjs')).makeDb({ backend: 'postgresql', init: false })
    : null;
  db = pg ? pg.db : join(dir, 't.db');
  const out = await cli(['demo', '--db', db, '--residents', '300', '--seed', '3']);
  const m = /demo logins \(password for all: (\S+)\):\n((?: {2}.*\n)+)/.exec(out);
  assert.ok(m, out);
  password = m[1];
  logins = m[2].trimEnd().split('\n').map((line) => {
    const [username, role, scope] = line.trim().split(/\s+/);
    const own = /password: (\S+)$/.exec(line); // admin has a password of its own
    return { username, role, scope, password: own ? own[1] : password };
  });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web-root', webRoot],
    { cwd: repoRoot, stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch (_) { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('civgrid serve did not start');
}

before(async () => {
  await buildWeb();
  await startDemo();
  // A user whose name is far longer than a phone's top bar, with the scope
  // and role of the first demo login.
  const admin = await apiSession(url, logins[0].username, logins[0].password);
  const made = await admin('POST', '/api/v1/users', {
    username: 'longname', display_name: LONG_NAME, role: logins[0].role, scope: logins[0].scope, password,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  logins.push({ username: 'longname', role: logins[0].role, scope: logins[0].scope, password });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await gone;
  }
  if (pg) await pg.drop().catch(() => {});
  if (dir) await cleanup(dir, { failed });
});

async function signIn(viewport, username, lang = 'zh-CN') {
  const { password: secret } = logins.find((l) => l.username === username);
  const page = await newPage(browser, url, viewport);
  await page.addInitScript((l) => localStorage.setItem('civgrid.lang', l), lang);
  await page.goto('/');
  await page.fill('#login-username', username);
  await page.fill('#login-password', secret);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid="user-name"]');
  return page;
}

/** Opens a hash route and waits until nothing loads any more. */
async function open(page, path) {
  await page.goto(`/#${path}`);
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.state-loading, [aria-busy="true"]'), null, { timeout: 15000 })
    .catch(() => {});
}

/** The nav routes of the signed-in user and one detail page of each list. */
async function routesOf(page) {
  const nav = await page.$$eval('#sidenav a.nav-link', (as) => as.map((a) => a.getAttribute('href').slice(1)));
  const out = [...nav];
  for (const [list, prefix] of [['/areas', '#/areas/'], ['/residents', '#/residents/'], ['/ledgers', '#/ledgers/'], ['/cases', '#/cases/']]) {
    if (!nav.includes(list)) continue;
    await open(page, list);
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

const slug = (path) => path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home';

test('every route of every demo role fits 390 px without sideways scroll', async () => {
  try {
    const wide = [];
    for (const { username } of logins) {
      const page = await signIn(PHONE, username);
      for (const path of await routesOf(page)) {
        await open(page, path);
        const sw = await page.evaluate(() => document.documentElement.scrollWidth);
        if (sw > PHONE.width) {
          wide.push(`${username} ${path}: ${sw}px`);
          await screenshot(page, dir, `wide-${username}-${slug(path)}`);
        }
      }
      if (username === 'longname' || username === logins[0].username) {
        await open(page, '/');
        await screenshot(page, dir, `390-${username}-home`);
      }
      await page.context().close();
    }
    assert.deepEqual(wide, []);
  } catch (e) {
    failed = true;
    throw e;
  }
});

test('at 800 px table columns stay on screen and cells keep room for a few characters', async () => {
  try {
    const bad = [];
    // The city-wide roles see the longest lists; longname has the longest name.
    for (const { username } of [...logins.slice(0, 3), logins[logins.length - 1]]) {
      const page = await signIn(TABLET, username);
      for (const path of await routesOf(page)) {
        await open(page, path);
        const problems = await page.evaluate(() => {
          const out = [];
          if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page ${document.documentElement.scrollWidth}px`);
          for (const wrap of document.querySelectorAll('.table-wrap')) {
            if (wrap.scrollWidth > wrap.clientWidth + 1) out.push(`table scrolls ${wrap.scrollWidth}>${wrap.clientWidth}`);
          }
          // A cell narrower than three of its characters wraps a name or a
          // date one character a line.
          for (const cell of document.querySelectorAll('.data-table td, .data-table th')) {
            const text = cell.textContent.trim();
            if (text.length < 3) continue;
            const style = getComputedStyle(cell);
            if (style.display === 'none') continue; // a column this width leaves out
            const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            if (inner < 2.5 * parseFloat(style.fontSize)) out.push(`cell "${text.slice(0, 20)}" ${inner}px`);
          }
          return out;
        });
        if (problems.length) {
          bad.push(`${username} ${path}: ${problems.slice(0, 3).join('; ')}`);
          await screenshot(page, dir, `tablet-${username}-${slug(path)}`);
        }
      }
      await page.context().close();
    }
    assert.deepEqual(bad, []);
  } catch (e) {
    failed = true;
    throw e;
  }
});

test('screenshots at 390, 800 and 1280 px', async () => {
  for (const [name, viewport] of [['390', PHONE], ['800', TABLET], ['1280', WIDE]]) {
    const page = await signIn(viewport, 'longname');
    for (const path of await routesOf(page)) {
      await open(page, path);
      await screenshot(page, dir, `${name}-${slug(path)}`);
    }
    // The first /me before signing in answers 401 by design.
    assert.deepEqual(page.problems.filter((p) => !/status of 401/.test(p)), []);
    await page.context().close();
  }
});

test('a required field left empty is named in the UI words, in zh-CN and en', async () => {
  try {
    for (const lang of ['zh-CN', 'en']) {
      const want = messages[lang]['error.missing_field'];
      // The sign-in form.
      const login = await newPage(browser, url, PHONE);
      await login.addInitScript((l) => localStorage.setItem('civgrid.lang', l), lang);
      await login.goto('/');
      await login.click('button[type=submit]');
      await login.waitForSelector('.login-card .alert-error');
      assert.equal((await login.textContent('.login-card .alert-error')).trim(), want);
      await login.context().close();

      // A form of the form helper (add a user).
      const page = await signIn(PHONE, logins[0].username, lang);
      await open(page, '/users');
      await page.click('.page-header .btn-primary');
      const form = page.locator('form.form-panel');
      assert.equal(await form.evaluate((f) => f.noValidate), true);
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('#user-username-error');
      assert.equal((await page.textContent('#user-username-error')).trim(), want);
      assert.equal((await page.textContent('#user-display_name-error')).trim(), want);
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
      assert.equal(focused, 'user-username');
      await page.context().close();
    }
  } catch (e) {
    failed = true;
    throw e;
  }
});

test('a whole phone number in the residents list is a tap-to-call link; a masked one is not', async () => {
  try {
    // A grid worker sees the whole numbers of the grid's residents; the city
    // administrator sees them masked.
    for (const [username, whole] of [['grid_worker', true], [logins[0].username, false]]) {
      const page = await signIn(PHONE, username);
      await open(page, '/residents');
      await page.click('form[role=search] button[type=submit]');
      await page.waitForSelector('[data-testid=phone]');
      const cells = await page.$$eval('[data-testid=phone]', (els) => els.map((e) => ({
        text: e.textContent.trim(), href: e.querySelector('a') ? e.querySelector('a').getAttribute('href') : null,
      })));
      const numbers = cells.filter((c) => c.text !== '—');
      assert.ok(numbers.length > 0, `${username}: no phone numbers listed`);
      for (const c of numbers) {
        if (c.text.includes('*')) assert.equal(c.href, null, `${username}: ${c.text}`);
        else assert.equal(c.href, `tel:${c.text}`, `${username}: ${c.text}`);
      }
      assert.equal(numbers.some((c) => c.href), whole, `${username}: ${JSON.stringify(numbers.slice(0, 3))}`);
      await page.context().close();
    }
  } catch (e) {
    failed = true;
    throw e;
  }
});
