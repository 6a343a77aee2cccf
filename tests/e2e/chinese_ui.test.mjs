// No English inside the Chinese UI (issue 9, finding 5): every route of every
// demo role, in zh-CN, shows no Latin word in its visible text (text,
// placeholders, chosen options) beyond a short allow-list of codes and names;
// and the typical errors a user meets (a wrong check digit when registering,
// a weak password, an unknown ledger in an import) are shown in Chinese, from
// the API's stable code and reason, never its English message.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildWeb, cleanup, idNumber, launchBrowser, newPage, openRoute, routesOf, screenshot, startServer,
} from './helpers.mjs';

// Words a Chinese page may show in Latin letters: the product's name, the
// language switch's "English" (a language is named in its own words), units,
// file formats and products named by their brand. Codes and names are
// recognised by their form (see latinWords).
const ALLOWED = new Set(['English', 'civgrid', 'km', 'CSV', 'csv', 'Excel', 'WPS', 'xlsx', 'UTF', 'GBK', 'X', 'ID']);

/**
 * The Latin words of a text that are neither allowed nor a code or name:
 * a token with a digit (area codes, ID numbers, times), a snake_case or
 * dotted code (grid_worker, people.read), an account name of the demo.
 */
function latinWords(text, names) {
  const out = new Set();
  for (const token of text.match(/[A-Za-z0-9][A-Za-z0-9_.@-]*/g) || []) {
    if (!/[A-Za-z]/.test(token)) continue;
    const word = token.replace(/[.-]+$/, '');
    if (/\d/.test(word) || /[_@]/.test(word) || ALLOWED.has(word) || names.has(word)) continue;
    out.add(word);
  }
  return [...out];
}

/**
 * What a reader sees on the page: text, placeholders and titles, without the
 * elements that show a code as such (code, kbd, .mono: the import's English
 * column names, ID numbers).
 */
function visibleText(page) {
  return page.evaluate(() => {
    const hide = document.createElement('style');
    hide.textContent = 'code, kbd, .mono { display: none !important; }';
    document.head.append(hide);
    const parts = [document.body.innerText];
    for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      if (el.offsetParent !== null) parts.push(el.placeholder);
    }
    for (const el of document.querySelectorAll('[title]')) {
      if (el.offsetParent !== null) parts.push(el.getAttribute('title'));
    }
    hide.remove();
    return parts.join('\n');
  });
}

describe('the Chinese UI speaks Chinese', () => {
  let server;
  let browser;
  let failed = false;
  let names;
  const passwordOf = (username) => (username === 'admin' ? server.adminPassword : server.demo.password);

  before(async () => {
    await buildWeb();
    server = await startServer({ prefix: 'civgrid-e2e-zh-', demo: { residents: 300, seed: 3 } });
    names = new Set(server.demo.logins.map((l) => l.username));
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
    if (server) await cleanup(server.dir, { failed });
  });

  async function signIn(username) {
    const page = await newPage(browser, server.url);
    await page.addInitScript(() => localStorage.setItem('civgrid.lang', 'zh-CN'));
    await page.goto('/');
    await page.fill('#login-username', username);
    await page.fill('#login-password', passwordOf(username));
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid="user-name"]');
    return page;
  }

  const guard = (fn) => async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  };

  it('shows no Latin words on any route of any demo role', guard(async () => {
    const found = [];
    for (const { username } of server.demo.logins) {
      const page = await signIn(username);
      for (const path of await routesOf(page)) {
        await openRoute(page, path);
        const words = latinWords(await visibleText(page), names);
        if (words.length) {
          found.push(`${username} ${path}: ${words.join(' ')}`);
          await screenshot(page, server.dir, `latin-${username}-${path.replace(/[^a-z0-9]+/gi, '_')}`);
        }
      }
      await page.context().close();
    }
    assert.deepEqual(found, []);
  }));

  it('words a wrong check digit, a weak password and an unknown ledger in Chinese', guard(async () => {
    const han = /\p{Script=Han}/u;
    const page = await signIn('grid_worker');

    // Registering: the last digit of a valid number changed.
    const good = idNumber('14022119900307123');
    const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    await openRoute(page, '/residents?area=14022110021502');
    await page.getByRole('button', { name: '+ 登记居民' }).click();
    const form = page.getByTestId('add-form');
    await form.getByLabel('身份证号').fill(bad);
    await form.getByLabel('姓名').fill('王五');
    await form.getByRole('button', { name: '保存' }).click();
    const idError = page.locator('#add-id_number-error');
    await idError.waitFor();
    const idText = (await idError.textContent()).trim();
    assert.match(idText, /校验位错误/, idText);
    assert.deepEqual(latinWords(idText, names), [], idText);
    await screenshot(page, server.dir, 'zh-error-check-digit');

    // Importing: a ledger the registry does not have.
    await openRoute(page, '/import');
    const csv = `身份证号,姓名,区域编码,台账\n${good},王五,14022110021502,不存在的台账\n`;
    await page.locator('input[type=file]').setInputFiles({ name: 'r.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('form button[type="submit"]').click();
    const report = page.getByTestId('import-errors');
    await report.waitFor();
    const cell = (await report.locator('td[data-reason]').first().textContent()).trim();
    assert.match(cell, /不存在的台账/, cell);
    assert.match(cell, han, cell);
    assert.deepEqual(latinWords(cell, names), [], cell);
    await page.context().close();

    // A weak password for a new account (the admin's users page).
    const admin = await signIn('admin');
    await openRoute(admin, '/users');
    await admin.click('.page-header .btn-primary');
    const userForm = admin.locator('form.form-panel');
    await userForm.getByLabel('用户名').fill('weakling');
    await userForm.getByLabel('姓名').fill('测试账号');
    await userForm.getByLabel('角色').selectOption('grid_worker');
    await userForm.getByRole('combobox', { name: '管辖范围（区划代码）' }).fill('14022110021502');
    await admin.fill('#user-password', 'abc');
    await admin.locator('form.form-panel button[type=submit]').click();
    const pwError = admin.locator('#user-password-error');
    await pwError.waitFor();
    const pwText = (await pwError.textContent()).trim();
    assert.match(pwText, /至少需要 8 个字符/, pwText);
    assert.deepEqual(latinWords(pwText, names), [], pwText);
    await admin.fill('#user-password', 'weakling123');
    await admin.locator('form.form-panel button[type=submit]').click();
    await admin.waitForFunction(() => /用户名/.test(document.querySelector('#user-password-error')?.textContent || ''));
    const close = (await pwError.textContent()).trim();
    assert.match(close, /密码与用户名太接近/, close);
    await screenshot(admin, server.dir, 'zh-error-weak-password');
    await admin.context().close();
  }));
});
