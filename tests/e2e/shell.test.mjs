// The web UI shell against the real civgrid binary, in Debian's Chromium:
// login (wrong password first), the Chinese and English texts, the layout on
// a desktop and a phone, and the admin's users page (add, field errors,
// filter, disable, enable), then logout. Each step depends on the ones
// before it, so after a failure the rest are skipped instead of piling up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DESKTOP, PHONE, buildWeb, cleanup, launchBrowser, newPage, screenshot, startServer,
} from './helpers.mjs';

const WORKER = {
  username: 'e2e_worker',
  display_name: '王网格',
  password: 'Grid-Worker-2022!',
};

// Problems a page reports that are expected: Chromium logs every 4xx answer
// (the 401 of /me before login, the wrong password) as a console error.
const expectedProblem = (p) => /Failed to load resource/.test(p);

describe('web shell', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page; // the desktop page, signed in as admin for most of the flow
  let me; // GET /api/v1/me of admin
  let failed = false;

  // Runs one step unless an earlier one failed.
  const step = (name, fn) => it(name, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  before(async () => {
    await buildWeb();
    server = await startServer();
    console.log(`server ${server.url}, temp dir ${server.dir}`);
    browser = await launchBrowser();
    page = await newPage(browser, server.url, DESKTOP);
    page.context().setDefaultTimeout(10_000);
  });

  after(async () => {
    const problems = page ? page.problems.filter((p) => !expectedProblem(p)) : [];
    if (browser) await browser.close();
    if (server) {
      await server.stop();
      if (failed) console.log(`server log:\n${server.logs()}`);
      await cleanup(server.dir, { failed });
    }
    assert.deepEqual(problems, [], 'the desktop page logged script errors');
  });

  step('the login page shows in Chinese and maps a wrong password to its message', async () => {
    await page.goto('/');
    await page.waitForURL(/#\/login$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.getByRole('heading', { name: '账号登录' }).waitFor();
    assert.equal(await page.title(), '登录 · civgrid 网格化管理');

    await page.getByLabel('用户名', { exact: true }).fill('admin');
    await page.getByLabel('密码', { exact: true }).fill(`${server.adminPassword}-wrong`);
    await page.getByRole('button', { name: '登录' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-error-code'), 'invalid_credentials');
    assert.equal((await alert.textContent()).trim(), '用户名或密码错误。');
    // The password is cleared and focused for the next try.
    assert.equal(await page.getByLabel('密码', { exact: true }).inputValue(), '');
    await screenshot(page, server.dir, 'desktop-login-error');
  });

  step('admin logs in and sees the home page with role and scope', async () => {
    await page.getByLabel('密码', { exact: true }).fill(server.adminPassword);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/#\/$/);

    me = await page.evaluate(async () => {
      const res = await fetch('/api/v1/me', { credentials: 'same-origin' });
      return { status: res.status, body: await res.json() };
    });
    assert.equal(me.status, 200);
    me = me.body;
    assert.equal(me.user.role, 'admin');
    assert.ok(me.user.scope && me.user.scope.code, 'admin has a scope code');

    const top = page.locator('header.topbar');
    await top.getByText('civgrid 网格化管理').waitFor();
    assert.equal((await page.getByTestId('user-role').textContent()).trim(), '系统管理员');
    assert.equal((await page.getByTestId('user-name').textContent()).trim(),
      me.user.display_name || me.user.username);
    if (me.user.scope.name) {
      assert.equal((await page.getByTestId('user-scope').textContent()).trim(), me.user.scope.name);
    }
    await page.getByRole('heading', { name: `欢迎，${me.user.display_name || me.user.username}` }).waitFor();
    assert.equal((await page.getByTestId('home-role').textContent()).trim(), '系统管理员');
    // Admin sees Users in the navigation.
    const nav = page.getByRole('navigation', { name: '主导航' });
    await nav.getByRole('link', { name: '用户管理' }).waitFor();
    await screenshot(page, server.dir, 'desktop-home-zh');
  });

  step('the language switch goes to English, survives a reload, and comes back', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('header.topbar').getByText('civgrid Grid Management').waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    // Role names come from the server, with the roles (GET /api/v1/meta).
    const meta = await page.evaluate(async () => (await fetch('/api/v1/meta')).json());
    assert.equal((await page.getByTestId('user-role').textContent()).trim(),
      meta.roles.find((r) => r.code === 'admin').en);
    assert.equal(await page.evaluate(() => localStorage.getItem('civgrid.lang')), 'en');
    await screenshot(page, server.dir, 'desktop-home-en');

    // The choice is kept, and the session (an HttpOnly cookie) too.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Users' }).waitFor();
    assert.equal(await page.evaluate(() => document.cookie.includes('civgrid_session')), false,
      'the session cookie must be HttpOnly');

    await page.getByRole('button', { name: '中文' }).click();
    await page.locator('header.topbar').getByText('civgrid 网格化管理').waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.evaluate(() => localStorage.getItem('civgrid.lang')), 'zh-CN');
  });

  step('the users page lists admin', async () => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '用户管理' }).click();
    await page.waitForURL(/#\/users$/);
    await page.getByRole('heading', { name: '用户管理', level: 1 }).waitFor();
    await page.locator(`tr[data-username="${me.user.username}"]`).waitFor();
    assert.match(await page.getByTestId('users-total').textContent(), /^共 \d+ 个用户$/);
  });

  step('admin adds a grid worker scoped to the root area, picked by name', async () => {
    await page.getByRole('button', { name: '新增用户' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: '新增用户' }) });
    await form.getByLabel('用户名').fill(WORKER.username);
    await form.getByLabel('姓名').fill(WORKER.display_name);
    await form.getByLabel('角色').selectOption('grid_worker');
    // The role select names the roles in Chinese.
    assert.equal(await form.locator('#user-role option[value="grid_worker"]').textContent(), '网格员');
    // It offers exactly the server's roles, in the server's order, with the server's names.
    const meta = await page.evaluate(async () => (await fetch('/api/v1/meta')).json());
    const options = await form.locator('#user-role option:not([disabled])')
      .evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
    assert.deepEqual(options, meta.roles.map((r) => [r.code, r.zh]));

    const scope = form.getByRole('combobox', { name: '管辖范围（区划代码）' });
    const code = me.user.scope.code;
    if (me.user.scope.name) {
      // Look the area up by its name and pick it from the list.
      await scope.fill(me.user.scope.name);
      const option = page.getByRole('listbox', { name: '匹配的区域' }).getByRole('option').filter({ hasText: code }).first();
      await option.waitFor();
      await option.click();
      assert.equal(await scope.inputValue(), code);
      await page.getByTestId('scope-selected').waitFor();
    } else {
      await scope.fill(code);
    }
    await form.getByLabel('初始密码').fill(WORKER.password);
    await form.getByRole('button', { name: '创建用户' }).click();

    await page.getByRole('status').getByText(`已创建用户 ${WORKER.username}。`).waitFor();
    const row = page.locator(`tr[data-username="${WORKER.username}"]`);
    await row.waitFor();
    assert.equal((await row.locator('td').nth(0).textContent()).trim(), WORKER.display_name);
    assert.equal((await row.locator('td').nth(1).textContent()).trim(), '网格员');
    assert.equal((await row.getByTestId('user-status').textContent()).trim(), '正常');
    // created_at is shown as Asia/Shanghai "YYYY-MM-DD HH:mm".
    assert.match((await row.locator('td').nth(4).textContent()).trim(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  step('adding the same username again shows the error beside the username field', async () => {
    await page.getByRole('button', { name: '新增用户' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: '新增用户' }) });
    await form.getByLabel('用户名').fill(WORKER.username);
    await form.getByLabel('姓名').fill('重复');
    await form.getByLabel('角色').selectOption('grid_worker');
    await form.getByRole('combobox', { name: '管辖范围（区划代码）' }).fill(me.user.scope.code);
    await form.getByLabel('初始密码').fill(WORKER.password);
    await form.getByRole('button', { name: '创建用户' }).click();

    const error = page.locator('#user-username-error');
    await error.waitFor();
    assert.equal((await error.textContent()).trim(), '该用户名已被使用。');
    assert.equal(await page.locator('#user-username').getAttribute('aria-invalid'), 'true');
    await screenshot(page, server.dir, 'desktop-users-field-error');
    await form.getByRole('button', { name: '取消' }).click();
    await form.waitFor({ state: 'detached' });
  });

  step('the filter box narrows the list', async () => {
    await page.getByLabel('筛选用户').fill(WORKER.username);
    await page.getByTestId('users-total').filter({ hasText: '共 1 个用户' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.getByLabel('筛选用户').fill('no-such-user-xyz');
    await page.getByText('没有符合“no-such-user-xyz”的用户。').waitFor();
    await page.getByLabel('筛选用户').fill('');
    await page.locator(`tr[data-username="${me.user.username}"]`).waitFor();
  });

  step('admin disables the worker after confirming, and can enable it again', async () => {
    const row = page.locator(`tr[data-username="${WORKER.username}"]`);
    // Admin cannot disable their own account from here.
    assert.equal(await page.locator(`tr[data-username="${me.user.username}"] button`).count(), 0);

    // Cancelling the confirmation changes nothing.
    await row.getByRole('button', { name: `停用 ${WORKER.username}` }).click();
    let dialog = page.getByRole('dialog', { name: '停用用户' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await row.getByTestId('user-status').textContent()).trim(), '正常');

    await row.getByRole('button', { name: `停用 ${WORKER.username}` }).click();
    dialog = page.getByRole('dialog', { name: '停用用户' });
    assert.match(await dialog.textContent(), new RegExp(`${WORKER.display_name}.*${WORKER.username}`));
    await dialog.getByRole('button', { name: '停用' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByTestId('user-status').filter({ hasText: '已停用' }).waitFor();
    await row.getByRole('button', { name: `启用 ${WORKER.username}` }).waitFor();
    await screenshot(page, server.dir, 'desktop-users');

    // The server agrees.
    const listed = await page.evaluate(async (u) => {
      const res = await fetch(`/api/v1/users?q=${encodeURIComponent(u)}`);
      return (await res.json()).items.find((x) => x.username === u);
    }, WORKER.username);
    assert.equal(listed.status, 'disabled');

    // Enable and disable again: both buttons work, and it ends disabled.
    await row.getByRole('button', { name: `启用 ${WORKER.username}` }).click();
    dialog = page.getByRole('dialog', { name: '启用用户' });
    await dialog.getByRole('button', { name: '启用' }).click();
    await row.getByTestId('user-status').filter({ hasText: '正常' }).waitFor();
    await row.getByRole('button', { name: `停用 ${WORKER.username}` }).click();
    await page.getByRole('dialog', { name: '停用用户' }).getByRole('button', { name: '停用' }).click();
    await row.getByTestId('user-status').filter({ hasText: '已停用' }).waitFor();
  });

  step('a non-admin sees no Users entry and is refused the users page', async () => {
    // Made through the API, as the UI would: with the CSRF token from /me.
    const head = { username: 'e2e_head', display_name: '李网格长', role: 'grid_head', password: WORKER.password };
    const created = await page.evaluate(async ({ user, scope }) => {
      const meRes = await (await fetch('/api/v1/me')).json();
      const res = await fetch('/api/v1/users', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': meRes.csrf_token },
        body: JSON.stringify({ ...user, scope }),
      });
      return res.status;
    }, { user: head, scope: me.user.scope.code });
    assert.equal(created, 201);

    const other = await newPage(browser, server.url, DESKTOP);
    other.context().setDefaultTimeout(10_000);
    try {
      await other.goto('/');
      await other.getByLabel('用户名', { exact: true }).fill(head.username);
      await other.getByLabel('密码', { exact: true }).fill(head.password);
      await other.getByRole('button', { name: '登录' }).click();
      await other.waitForURL(/#\/$/);
      assert.equal((await other.getByTestId('user-role').textContent()).trim(), '网格长');
      const nav = other.getByRole('navigation', { name: '主导航' });
      await nav.getByRole('link', { name: '首页' }).waitFor();
      assert.equal(await nav.getByRole('link', { name: '用户管理' }).count(), 0);
      await other.goto('/#/users');
      await other.getByRole('heading', { name: '没有访问权限' }).waitFor();
      await other.goto('/#/no-such-page');
      await other.getByRole('heading', { name: '页面不存在' }).waitFor();
    } finally {
      await other.context().close();
    }
  });

  step('on a phone the navigation folds into a menu and the users list fits the screen', async () => {
    const phone = await newPage(browser, server.url, PHONE);
    phone.context().setDefaultTimeout(10_000);
    try {
      await phone.goto('/#/users');
      await phone.waitForURL(/#\/login$/);
      await screenshot(phone, server.dir, 'phone-login');
      await phone.getByLabel('用户名', { exact: true }).fill('admin');
      await phone.getByLabel('密码', { exact: true }).fill(server.adminPassword);
      await phone.getByRole('button', { name: '登录' }).click();
      // Back to the page asked for before the login.
      await phone.waitForURL(/#\/users$/);
      await phone.locator(`tr[data-username="${WORKER.username}"]`).waitFor();
      const nav = phone.getByRole('navigation', { name: '主导航' });
      assert.equal(await nav.isVisible(), false, 'the menu starts closed on a phone');
      await screenshot(phone, server.dir, 'phone-users');

      const toggle = phone.getByRole('button', { name: '打开导航菜单' });
      await toggle.click();
      await nav.waitFor({ state: 'visible' });
      assert.equal(await phone.getByRole('button', { name: '关闭导航菜单' }).getAttribute('aria-expanded'), 'true');
      await screenshot(phone, server.dir, 'phone-menu');
      await nav.getByRole('link', { name: '首页' }).click();
      await phone.waitForURL(/#\/$/);
      await nav.waitFor({ state: 'hidden' });
      await screenshot(phone, server.dir, 'phone-home');

      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the home page is ${overflow}px wider than the phone`);
      await phone.goto('/#/users');
      await phone.locator(`tr[data-username="${WORKER.username}"]`).waitFor();
      const overflowUsers = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflowUsers <= 0, `the users page is ${overflowUsers}px wider than the phone`);
      const problems = phone.problems.filter((p) => !expectedProblem(p));
      assert.deepEqual(problems, [], 'the phone page logged script errors');
    } finally {
      await phone.context().close();
    }
  });

  step('logout returns to the login page and ends the session', async () => {
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/#\/login$/);
    await page.getByRole('heading', { name: '账号登录' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(status, 401);
  });

  // A disabled account answers like a wrong password, so that the login page
  // does not tell an outsider which accounts exist or are disabled.
  step('the disabled worker cannot log in, and is told no more than for a wrong password', async () => {
    await page.getByLabel('用户名', { exact: true }).fill(WORKER.username);
    await page.getByLabel('密码', { exact: true }).fill(WORKER.password);
    await page.getByRole('button', { name: '登录' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-error-code'), 'invalid_credentials');
    assert.equal((await alert.textContent()).trim(), '用户名或密码错误。');
    await screenshot(page, server.dir, 'desktop-login-disabled');
  });

  step('repeated wrong passwords lock the account, and the login page says until when', async () => {
    // The server's threshold and back-off are its own; keep trying until it locks.
    const alert = page.getByRole('alert');
    let code = null;
    for (let i = 0; i < 12 && code !== 'account_locked'; i++) {
      await page.getByLabel('用户名', { exact: true }).fill(WORKER.username);
      await page.getByLabel('密码', { exact: true }).fill(`wrong-${i}`);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: '登录' }).and(page.locator(':enabled')).waitFor();
      code = await alert.getAttribute('data-error-code');
    }
    assert.equal(code, 'account_locked', 'twelve wrong passwords did not lock the account');
    assert.match((await alert.textContent()).trim(),
      /^登录失败次数过多，账号已临时锁定，请于 \d{2}:\d{2}（约 \d+ (秒|分钟|小时)后）重试。$/);
    await screenshot(page, server.dir, 'desktop-login-locked');
  });
});
