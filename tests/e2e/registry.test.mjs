// The registry pages against the real civgrid binary, in Debian's Chromium:
// the area tree down to a grid and its responsibility card, admin changes to
// areas and staff, resident search (by name, by the last digits of the ID
// number), the profile with a status change in its history, ledgers, the
// exports, the CSV import, and a grid worker who sees only their own grid.
// Data is set up through the CLI and the API, as an office would.
// Screenshots of every page at desktop and phone size go to the temp dir.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DESKTOP, PHONE, apiSession, buildWeb, cleanup, cli, idNumber, launchBrowser, loginUI, newPage,
  overflowX, screenshot, startServer,
} from './helpers.mjs';

const AREAS = [
  // code, parent, level, name
  ['140200', null, 'county', '新荣区'],
  ['140201', '140200', 'town', '新荣镇'],
  ['14020101', '140201', 'community', '幸福社区'],
  ['1402010101', '14020101', 'grid', '第一网格'],
  ['1402010102', '14020101', 'grid', '第二网格'],
  ['140201010101', '1402010101', 'building', '1号楼'],
];
const GRID_A = '1402010101';
const GRID_B = '1402010102';

const WORKER = { username: 'e2e_gw_a', display_name: '王网格', password: 'Grid-Worker-2022!' };

// Two residents of grid A, one of grid B; the ID tails differ.
const R1 = {
  id_number: idNumber('14020219800101123'), name: '张三丰', phone: '13812345678',
  area_code: '140201010101', household: '1-2-301', unit: '2', room: '301', tags: 'party_member',
};
const R2 = {
  id_number: idNumber('14020219900315234'), name: '李秀英', area_code: GRID_A,
  resident_type: 'floating', tags: 'volunteer',
};
const R3 = {
  id_number: idNumber('14020219750720567'), name: '王五岳', phone: '13987654321', area_code: GRID_B,
};

// Chromium logs every 4xx answer (the 401 of /me before login, the 409 of a
// refused retire, the 422 of a bad import) as a console error.
const expectedProblem = (p) => /Failed to load resource/.test(p);

describe('registry pages', { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page; // admin on a desktop
  let admin; // API client of admin
  const ids = {}; // resident name -> id
  const masked = {}; // resident name -> masked ID number as the API shows it to admin
  let failed = false;
  const pages = [];

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

  async function open(viewport) {
    const p = await newPage(browser, server.url, viewport);
    p.context().setDefaultTimeout(10_000);
    pages.push(p);
    return p;
  }

  before(async () => {
    await buildWeb();
    server = await startServer({ prefix: 'civgrid-e2e-registry-' });
    console.log(`server ${server.url}, temp dir ${server.dir}`);
    for (const [code, parent, level, name] of AREAS) {
      const args = ['area', 'add', code, '--level', level, '--name', name, '--db', server.db];
      if (parent) args.push('--parent', parent);
      await cli(args);
    }
    await cli(['user', 'add', WORKER.username, '--role', 'grid_worker', '--scope', GRID_A,
      '--display-name', WORKER.display_name, '--password-stdin', '--db', server.db], { input: `${WORKER.password}\n` });

    admin = await apiSession(server.url, 'admin', server.adminPassword);
    for (const r of [R1, R2, R3]) {
      const res = await admin('POST', '/api/v1/residents', r);
      assert.equal(res.status, 201, `add ${r.name}: ${JSON.stringify(res.body)}`);
      ids[r.name] = res.body.id;
      masked[r.name] = res.body.id_number;
      assert.match(res.body.id_number, /\*/, 'admin sees masked ID numbers');
    }
    for (const s of [
      { area_code: GRID_A, position: 'grid_worker', name: '王网格', phone: '13900001111', username: WORKER.username },
      { area_code: '14020101', position: 'grid_head', name: '钱网格长', phone: '13900003333' },
      { area_code: '140201010101', position: 'building_head', name: '周楼长', phone: '13900004444' },
    ]) {
      const res = await admin('POST', '/api/v1/staff', s);
      assert.equal(res.status, 201, `assign ${s.name}: ${JSON.stringify(res.body)}`);
    }

    browser = await launchBrowser();
    page = await open(DESKTOP);
  });

  after(async () => {
    const problems = pages.flatMap((p) => p.problems).filter((p) => !expectedProblem(p));
    if (browser) await browser.close();
    if (server) {
      await server.stop();
      if (failed) console.log(`server log:\n${server.logs()}`);
      await cleanup(server.dir, { failed });
    }
    assert.deepEqual(problems, [], 'a page logged script errors');
  });

  const h1 = (p, name) => p.getByRole('heading', { level: 1, name });

  step('admin sees the registry entries in the navigation', async () => {
    await loginUI(page, 'admin', server.adminPassword);
    const nav = page.getByRole('navigation', { name: '主导航' });
    for (const name of ['区域', '居民', '台账', '导入', '用户管理']) {
      await nav.getByRole('link', { name, exact: true }).waitFor();
    }
  });

  step('admin browses the tree from the scope root down to grid A and sees its card', async () => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '区域', exact: true }).click();
    await page.waitForURL(/#\/areas$/);
    await h1(page, /^全部辖区/).waitFor();
    for (const [code, , , name] of AREAS.slice(0, 4)) {
      await page.locator(`.area-list a[data-code="${code}"], .child-figs a[data-code="${code}"]`).click();
      await h1(page, new RegExp(`^${name}`)).waitFor();
    }
    assert.match(page.url(), new RegExp(`#/areas/${GRID_A}$`));
    const crumbs = page.getByRole('navigation', { name: '区域层级' });
    await crumbs.locator('li').nth(4).waitFor();
    assert.deepEqual((await crumbs.locator('li').allTextContents()).map((s) => s.trim()),
      ['全部辖区', '新荣区', '新荣镇', '幸福社区', '第一网格']);

    const card = page.getByTestId('area-card');
    const worker = card.locator('li.person[data-position="grid_worker"]');
    assert.match(await worker.textContent(), /网格员.*王网格/);
    assert.equal(await worker.getByRole('link', { name: /13900001111/ }).getAttribute('href'), 'tel:13900001111');
    // The grid head of the community above is on the card too, with where they sit.
    const head = card.locator('li.person[data-position="grid_head"]');
    assert.match(await head.textContent(), /网格长.*钱网格长.*幸福社区/);
    assert.equal(await head.getByRole('link', { name: /13900003333/ }).getAttribute('href'), 'tel:13900003333');
    assert.equal((await card.getByTestId('card-residents').textContent()).trim(), '2');
    assert.equal((await card.getByTestId('card-floating').textContent()).trim(), '1');
    // Ledger counts of the grid, each a link to its people.
    const ledgers = page.getByTestId('area-ledgers');
    assert.match(await ledgers.locator('li[data-ledger="party_member"]').textContent(), /党员\s*1/);
    assert.equal(await card.getByTestId('area-residents-link').getAttribute('href'), `#/residents?area=${GRID_A}`);
    // The building below is listed with its counts.
    assert.match(await page.locator('.area-list a[data-code="140201010101"]').textContent(), /1号楼.*下级 0.*居民 1/);
    await screenshot(page, server.dir, 'desktop-area-grid');

    // The same card in English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Responsibility card' }).waitFor();
    assert.match(await worker.textContent(), /Grid worker/);
    await screenshot(page, server.dir, 'desktop-area-grid-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '责任牌' }).waitFor();
  });

  step('retiring a grid with residents is refused with the reason', async () => {
    await page.getByRole('button', { name: '撤销区域' }).click();
    const dialog = page.getByRole('dialog', { name: '撤销区域' });
    await dialog.getByRole('button', { name: '撤销区域' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /^不能撤销：.*\d+ 名在册居民或账号/);
    assert.doesNotMatch(await alert.textContent(), /active residents/, 'never the English message');
    await screenshot(page, server.dir, 'desktop-area-retire-refused');
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  step('admin finds grid B by search, adds, renames, moves and retires a building, and assigns and ends a grid worker', async () => {
    await page.getByLabel('查找区域').fill('第二');
    await page.getByRole('list', { name: '查找结果' }).getByRole('link', { name: /第二网格/ }).click();
    await h1(page, /^第二网格/).waitFor();

    await page.getByRole('button', { name: '新增下级区域' }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: '在“第二网格”下新增区域' }) });
    await form.getByLabel('编码').fill('140201010201');
    await form.getByLabel('名称').fill('2号楼');
    // The levels offered are the server's, below the top one (the root's), in its order.
    const meta = await page.evaluate(async () => (await fetch('/api/v1/meta')).json());
    assert.deepEqual(await form.getByLabel('层级').locator('option').evaluateAll((os) => os.map((o) => o.value)),
      meta.area_levels.slice(1).map((l) => l.code));
    await form.getByLabel('层级').selectOption('building');
    await form.getByRole('button', { name: '新增下级区域' }).click();
    await page.getByRole('status').getByText('已新增区域“2号楼”（140201010201）。').waitFor();
    await page.locator('.area-list a[data-code="140201010201"]').waitFor();

    // The same code again: the error sits under the code field.
    await page.getByRole('button', { name: '新增下级区域' }).click();
    await form.getByLabel('编码').fill('140201010201');
    await form.getByLabel('名称').fill('重复');
    await form.getByLabel('层级').selectOption('building');
    await form.getByRole('button', { name: '新增下级区域' }).click();
    await page.locator('#child-code-error').waitFor();
    assert.equal(await page.locator('#child-code').getAttribute('aria-invalid'), 'true');
    await form.getByRole('button', { name: '取消' }).click();

    // Rename the new building and move it under grid A; then retire it (nobody lives there).
    await page.locator('.area-list a[data-code="140201010201"]').click();
    await h1(page, /^2号楼/).waitFor();
    await page.getByRole('button', { name: '改名或调整上级' }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: '修改区域“2号楼”' }) });
    await edit.getByLabel('名称').fill('2号楼（东）');
    await edit.getByRole('button', { name: /^更改区域/ }).click();
    await edit.getByRole('combobox', { name: '上级区域' }).fill('第一网格');
    await page.getByRole('listbox', { name: '匹配的区域' }).getByRole('option', { name: /第一网格/ }).click();
    await edit.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').getByText('已调整区域“2号楼（东）”的上级。').waitFor();
    await h1(page, /^2号楼（东）/).waitFor();
    await page.getByRole('navigation', { name: '区域层级' }).locator('li').filter({ hasText: '第一网格' }).waitFor();
    await page.getByRole('button', { name: '撤销区域' }).click();
    await page.getByRole('dialog', { name: '撤销区域' }).getByRole('button', { name: '撤销区域' }).click();
    await page.getByRole('status').getByText('已撤销区域“2号楼（东）”。').waitFor();
    await h1(page, /已撤销/).waitFor();
    await page.getByRole('button', { name: '恢复区域' }).waitFor();

    await page.getByRole('navigation', { name: '区域层级' }).getByRole('link', { name: '幸福社区' }).click();
    await page.locator(`.area-list a[data-code="${GRID_B}"]`).click();
    await h1(page, /^第二网格/).waitFor();
    await page.getByRole('button', { name: '指定责任人' }).click();
    const assign = page.locator('form', { has: page.getByRole('heading', { name: '为“第二网格”指定责任人' }) });
    assert.equal(await assign.getByLabel('职务').inputValue(), 'grid_worker');
    await assign.getByLabel('姓名').fill('赵网格');
    await assign.getByLabel('工作电话').fill('13900005555');
    await assign.getByRole('button', { name: '指定责任人' }).click();
    await page.getByRole('status').getByText('已指定 赵网格 为网格员。').waitFor();
    const person = page.locator('li.person', { hasText: '赵网格' });
    assert.equal(await person.getByRole('link', { name: /13900005555/ }).getAttribute('href'), 'tel:13900005555');

    await person.getByRole('button', { name: '结束 赵网格 的任职' }).click();
    const dialog = page.getByRole('dialog', { name: '结束任职' });
    await dialog.getByRole('button', { name: '结束任职' }).click();
    await page.getByRole('status').getByText('已结束 赵网格 的网格员任职。').waitFor();
    await person.waitFor({ state: 'detached' });
  });

  step('admin finds a resident by name and by the last 4 digits of the ID number', async () => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '居民', exact: true }).click();
    await h1(page, '居民').waitFor();
    const box = page.getByRole('searchbox', { name: '查找居民' });
    assert.match(await box.getAttribute('placeholder'), /姓名.*身份证号.*后4-6位.*手机号.*地址/);
    // Everyone of the scope before searching.
    await page.locator('tr[data-resident-id]').nth(2).waitFor();

    await box.fill(R1.name);
    await box.press('Enter');
    await page.waitForURL(/#\/residents\?q=/);
    await page.locator('tr[data-resident-id]').first().waitFor();
    const rows = page.locator('tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    const row = page.locator(`tr[data-resident-id="${ids[R1.name]}"]`);
    assert.equal((await row.getByTestId('id-number').textContent()).trim(), masked[R1.name]);
    assert.equal((await row.getByTestId('phone').textContent()).trim(), '138****5678');
    assert.match(await row.textContent(), /1号楼.*1-2-301.*常住.*在册.*党员/);

    await box.fill(R1.id_number.slice(-4));
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(new RegExp(`q=${R1.id_number.slice(-4)}`));
    await page.waitForFunction((id) => {
      const trs = document.querySelectorAll('tbody tr');
      return trs.length === 1 && trs[0].dataset.residentId === String(id);
    }, ids[R1.name]);
    assert.equal(await rows.count(), 1);
    await screenshot(page, server.dir, 'desktop-residents');
  });

  step('the Excel export link returns a workbook', async (t) => {
    const href = await page.getByTestId('export-xlsx').getAttribute('href');
    assert.match(href, /^\/api\/v1\/residents\?.*format=xlsx/);
    assert.match(await page.getByTestId('export-csv').getAttribute('href'), /format=csv/);
    const res = await page.evaluate(async (u) => {
      const r = await fetch(u, { credentials: 'same-origin' });
      const type = r.headers.get('content-type') || '';
      const body = type.includes('json') ? await r.json() : null;
      const bytes = body ? 0 : (await r.arrayBuffer()).byteLength;
      return { status: r.status, type, body, bytes };
    }, href);
    if (res.status === 400 && res.body && res.body.error === 'unsupported') {
      console.log(`NOTE: exports are not in this server yet (${res.body.message}); the link is checked, the file is not`);
      t.skip('the server does not export yet');
      return;
    }
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.type, /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/);
    assert.ok(res.bytes > 100, 'the workbook is not empty');
  });

  step('admin opens the profile, marks the resident moved out with a note, and sees it in the history', async () => {
    await page.locator(`tr[data-resident-id="${ids[R1.name]}"]`).getByRole('link', { name: R1.name }).click();
    await page.waitForURL(new RegExp(`#/residents/${ids[R1.name]}$`));
    await h1(page, /^张三丰/).waitFor();
    assert.equal((await page.getByTestId('profile-id-number').textContent()).trim(), masked[R1.name]);
    assert.equal((await page.getByTestId('profile-status').textContent()).trim(), '在册');
    await page.getByTestId('profile-ledgers').locator('li[data-ledger="party_member"]').getByText('党员').waitFor();

    const panel = page.getByTestId('status-panel');
    assert.equal(await panel.getByLabel('变更为').inputValue(), 'moved_out');
    await panel.getByLabel('备注').fill('迁往太原市小店区');
    await panel.getByRole('button', { name: '标记为“迁出”' }).click();
    const dialog = page.getByRole('dialog', { name: '确认变更状态' });
    assert.match(await dialog.textContent(), /张三丰.*迁出.*迁往太原市小店区/);
    await dialog.getByRole('button', { name: '标记为“迁出”' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('profile-status').filter({ hasText: '迁出' }).waitFor();

    const history = page.getByTestId('history');
    await history.locator('li[data-field="status"]').first().waitFor();
    const latest = history.locator('.timeline-item').first();
    assert.match(await latest.locator('li[data-field="status"]').textContent(), /状态\s*在册\s*→\s*迁出/);
    assert.match(await latest.locator('li[data-field="note"]').textContent(), /迁往太原市小店区/);
    assert.match(await latest.locator('time').textContent(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    assert.match(await latest.textContent(), /操作人 admin/);

    // Put on a ledger: the chip appears.
    await page.getByTestId('profile-ledgers').getByRole('combobox', { name: '台账' }).selectOption('volunteer');
    await page.getByRole('button', { name: '加入台账' }).click();
    await page.getByRole('status').getByText('已加入“志愿者”台账。').waitFor();
    await page.getByTestId('profile-ledgers').locator('li[data-ledger="volunteer"]').waitFor();
    await screenshot(page, server.dir, 'desktop-resident-profile');

    // The correction form shows the masked ID number and phone and asks for
    // no retyping (issue 9, finding 4): changing only the room saves only
    // the room, and ID number and phone stay as they were.
    await page.getByRole('button', { name: '更正信息' }).click();
    const fix = page.getByTestId('fix-form');
    assert.match(await fix.textContent(), /只改需要更正的项/);
    assert.equal(await fix.getByLabel('身份证号').inputValue(), masked[R1.name]);
    assert.equal(await fix.getByLabel('手机号').inputValue(), '138****5678');
    // A half-typed number is caught before it is sent.
    await fix.getByLabel('手机号').fill('138****567');
    await fix.getByRole('button', { name: '保存更正' }).click();
    assert.match(await page.locator('#fix-phone-error').textContent(), /完整的11位/);
    await fix.getByLabel('手机号').fill('138****5678');
    await fix.getByLabel('房间').fill('302');
    await fix.getByRole('button', { name: '保存更正' }).click();
    await page.getByRole('status').getByText('已更正，改动已记入历史。').waitFor();
    await history.locator('li[data-field="room"]').filter({ hasText: /301\s*→\s*302/ }).waitFor();
    assert.equal(await history.locator('li[data-field="phone"], li[data-field="id_number"]').count(), 0);
    const stored = await admin('GET', `/api/v1/residents?q=${R1.id_number}&status=all`);
    assert.equal(stored.body.items.length, 1, 'the ID number is intact');
    assert.equal(stored.body.items[0].phone, '138****5678', 'the phone is intact');
    assert.equal(stored.body.items[0].room, '302');

    // Moved out: no longer among the active residents, but found with 全部.
    await page.goto(`/#/residents?q=${encodeURIComponent(R1.name)}`);
    await page.getByText('没有符合条件的居民。').waitFor();
    await page.getByLabel('状态').selectOption('all');
    await page.locator(`tr[data-resident-id="${ids[R1.name]}"]`).getByTestId('resident-status').filter({ hasText: '迁出' }).waitFor();
  });

  // Issue 9, finding 1: registering an ID number that is already registered
  // shows that person and changes nothing; the correction is a separate,
  // explicit act on their record.
  step('registering an existing ID number shows that person and does not overwrite', async () => {
    await page.goto(`/#/residents?area=${GRID_A}`);
    await h1(page, '居民').waitFor();
    await page.getByRole('button', { name: '+ 登记居民' }).click();
    const form = page.getByTestId('add-form');
    await form.getByLabel('身份证号').fill(R2.id_number);
    await form.getByLabel('姓名').fill('李四');
    await form.getByLabel('房间').fill('999');
    await form.getByRole('button', { name: '保存' }).click();
    const notice = page.getByTestId('taken-notice');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('data-resident-id'), String(ids[R2.name]));
    assert.match(await notice.textContent(), /已登记为 李\*.*第一网格.*没有保存/);
    await screenshot(page, server.dir, 'desktop-register-taken');
    const before = await admin('GET', `/api/v1/residents/${ids[R2.name]}`);
    assert.equal(before.body.name, R2.name, 'the name is not overwritten');
    assert.ok(!before.body.room, 'the room is not overwritten');
    const hist = await admin('GET', `/api/v1/residents/${ids[R2.name]}/history`);
    assert.deepEqual(hist.body.items, [], 'nothing was written');
    // Opening it for correction leads to that person's record, with the form open.
    await notice.getByRole('link', { name: '打开并更正' }).click();
    await page.waitForURL(new RegExp(`#/residents/${ids[R2.name]}\\?fix=1$`));
    await h1(page, /^李秀英/).waitFor();
    await page.getByTestId('fix-form').waitFor();
    assert.equal(await page.getByTestId('fix-form').getByLabel('姓名').inputValue(), R2.name);
    await page.getByTestId('fix-form').getByRole('button', { name: '取消' }).click();
  });

  step('the ledgers page counts people and opens a ledger per child area', async () => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '台账', exact: true }).click();
    await h1(page, '台账').waitFor();
    // Only active residents count: 张三丰 moved out, 李秀英 remains.
    const row = page.locator('tr[data-ledger="volunteer"]');
    assert.equal((await row.getByTestId('ledger-count').textContent()).trim(), '1');
    await row.getByRole('link', { name: '志愿者' }).click();
    await h1(page, '志愿者').waitFor();
    assert.equal((await page.getByTestId('ledger-total').textContent()).trim(), '1');
    await page.locator('tr[data-code="140200"]').getByRole('link', { name: '新荣区', exact: true }).click();
    await page.locator('tr[data-code="140201"]').waitFor();
    await page.locator('tr[data-code="140201"]').getByRole('link', { name: '新荣镇', exact: true }).click();
    await page.locator('tr[data-code="14020101"]').getByRole('link', { name: '幸福社区', exact: true }).click();
    const gridRow = page.locator(`tr[data-code="${GRID_A}"]`);
    assert.match(await gridRow.textContent(), /第一网格.*网格.*1/);
    assert.match(await page.getByTestId('export-csv').getAttribute('href'), /ledger=volunteer.*format=csv|format=csv.*ledger=volunteer/);
    await screenshot(page, server.dir, 'desktop-ledger');
    await gridRow.getByRole('link', { name: '第一网格的名单' }).click();
    await page.waitForURL(/#\/residents\?/);
    assert.equal(await page.getByRole('combobox', { name: '台账' }).inputValue(), 'volunteer');
    await page.locator(`tr[data-resident-id="${ids[R2.name]}"]`).waitFor();
  });

  step('the import page shows the bad row of a CSV file and says nothing was written', async (t) => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '导入', exact: true }).click();
    await h1(page, '导入').waitFor();
    await page.getByRole('radio', { name: '居民' }).check();
    const columns = page.locator('table.columns-table[data-kind="residents"]');
    assert.match(await columns.textContent(), /id_number\s*身份证号.*resident_type\s*人员类型.*tags\s*标签/);
    await page.getByRole('radio', { name: '场所' }).check();
    assert.match(await page.locator('table.columns-table[data-kind="venues"]').textContent(), /address\s*地址/);
    await page.getByRole('radio', { name: '居民' }).check();

    const good = idNumber('14020219850610345');
    const csv = `身份证号,姓名,手机号,区域编码,户号\r\n${good},陈新民,13700001111,${GRID_A},2-1-101\r\n`
      + `140202198506103451,错号人,13700002222,${GRID_A},2-1-102\r\n`;
    await page.locator('#import-file').setInputFiles({ name: 'residents.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await screenshot(page, server.dir, 'desktop-import-form');
    await page.getByRole('button', { name: '上传并导入' }).click();
    const banner = page.getByTestId('import-banner');
    await banner.waitFor();
    const text = (await banner.textContent()).trim();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, server.dir, 'desktop-import-result');
    if (text === '服务器暂不支持导入（接口不存在），请联系系统管理员。') {
      console.log('NOTE: POST /api/v1/import/residents answers 404 in this server; the import upload was not checked');
      t.skip('the import endpoint does not exist yet');
      return;
    }
    assert.match(text, /没有写入任何数据。/);
    const bad = page.getByTestId('import-errors').locator('tr[data-line="3"]');
    await bad.waitFor();
    assert.equal((await page.getByTestId('import-invalid').textContent()).trim(), '1');
    assert.equal((await page.getByTestId('import-written').textContent()).trim(), '0');
    let found = await admin('GET', `/api/v1/residents?q=${encodeURIComponent('陈新民')}`);
    assert.equal(found.body.items.length, 0, 'nothing may be written when a row is bad');

    // With "skip invalid rows" the good row is written and the bad one listed.
    await page.getByLabel('跳过错误行').check();
    await page.getByRole('button', { name: '上传并导入' }).click();
    await banner.filter({ hasText: '导入完成' }).waitFor();
    assert.match(await banner.textContent(), /写入 1 行.*跳过了 1 行/);
    await page.getByTestId('import-errors').locator('tr[data-line="3"]').waitFor();
    found = await admin('GET', `/api/v1/residents?q=${encodeURIComponent('陈新民')}`);
    assert.equal(found.body.items.length, 1, 'the good row is written');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, server.dir, 'desktop-import-skipped');

    // An import updates by ID number; its dry run lists whom a file would
    // change (issue 9, finding 1), and changes nobody.
    const update = `身份证号,姓名,区域编码,房间\r\n${R2.id_number},${R2.name},${GRID_A},808\r\n`;
    await page.locator('#import-file').setInputFiles({ name: 'update.csv', mimeType: 'text/csv', buffer: Buffer.from(update) });
    await page.getByLabel('跳过错误行').uncheck();
    await page.getByLabel('只检查不写入').check();
    await page.getByRole('button', { name: '检查文件' }).click();
    await banner.filter({ hasText: '检查完成' }).waitFor();
    const updates = page.getByTestId('import-updates');
    const urow = updates.locator(`tr[data-resident-id="${ids[R2.name]}"]`);
    await urow.waitFor();
    assert.equal(await urow.getAttribute('data-line'), '2');
    assert.equal(await urow.getByRole('link', { name: R2.name }).getAttribute('href'), `#/residents/${ids[R2.name]}`);
    assert.match(await page.getByTestId('import-result').textContent(), /将更新已登记的居民（1）/);
    assert.ok(!(await admin('GET', `/api/v1/residents/${ids[R2.name]}`)).body.room, 'a dry run changes nobody');
    await screenshot(page, server.dir, 'desktop-import-dry-updates');
  });

  step('every page fits a phone screen', async () => {
    const phone = await open(PHONE);
    await loginUI(phone, 'admin', server.adminPassword);
    const visits = [
      ['phone-areas-root', '/areas', () => h1(phone, /^全部辖区/)],
      ['phone-area-grid', `/areas/${GRID_A}`, () => phone.getByTestId('area-card').locator('li.person').first()],
      ['phone-residents', `/residents?status=all`, () => phone.locator('tr[data-resident-id]').nth(2)],
      ['phone-resident-profile', `/residents/${ids[R1.name]}`, () => phone.getByTestId('history')],
      ['phone-ledgers', '/ledgers', () => phone.locator('tr[data-ledger="volunteer"]')],
      ['phone-ledger', '/ledgers/volunteer?area=14020101', () => phone.locator(`tr[data-code="${GRID_A}"]`)],
      ['phone-import', '/import', () => phone.locator('table.columns-table')],
    ];
    for (const [name, path, ready] of visits) {
      await phone.goto(`/#${path}`);
      await ready().waitFor();
      await screenshot(phone, server.dir, name);
      const over = await overflowX(phone);
      assert.ok(over <= 0, `${path} is ${over}px wider than the phone`);
    }
    assert.equal(await phone.getByRole('navigation', { name: '主导航' }).isVisible(), false);
  });

  step('a grid worker of grid A finds A\'s residents, never grid B\'s, with masked ID numbers', async () => {
    const w = await open(DESKTOP);
    await loginUI(w, WORKER.username, WORKER.password);
    const nav = w.getByRole('navigation', { name: '主导航' });
    for (const name of ['区域', '居民', '台账', '导入']) await nav.getByRole('link', { name, exact: true }).waitFor();
    assert.equal(await nav.getByRole('link', { name: '用户管理' }).count(), 0);

    // The tree starts at the worker's own grid.
    await nav.getByRole('link', { name: '区域', exact: true }).click();
    await h1(w, /^第一网格/).waitFor();
    assert.deepEqual((await w.getByRole('navigation', { name: '区域层级' }).locator('li').allTextContents()).map((s) => s.trim()), ['第一网格']);
    assert.equal(await w.getByRole('button', { name: '新增下级区域' }).count(), 0, 'only admins edit the tree');

    await nav.getByRole('link', { name: '居民', exact: true }).click();
    const box = w.getByRole('searchbox', { name: '查找居民' });
    const search = async (q) => {
      await box.fill(q);
      await box.press('Enter');
      // The page marks itself ready once the answer for this very search is in.
      await w.locator(`section[data-results="ready"][data-q="${q}"]`).waitFor();
      return w.locator('tr[data-resident-id]');
    };
    let rows = await search(R2.name);
    assert.equal(await rows.count(), 1);
    const idText = (await rows.first().getByTestId('id-number').textContent()).trim();
    assert.equal(idText, masked[R2.name]);
    assert.match(idText, /^\d{4}\*+\d{3}[\dX]$/);

    rows = await search(R3.name);
    assert.equal(await rows.count(), 0, 'grid B\'s resident by name');
    await w.getByText('没有符合条件的居民。').waitFor();
    rows = await search(R3.id_number);
    assert.equal(await rows.count(), 0, 'grid B\'s resident by full ID number');
    rows = await search(R3.id_number.slice(-4));
    assert.equal(await rows.count(), 0, 'grid B\'s resident by the last 4 digits');
    await screenshot(w, server.dir, 'desktop-worker-search-b');

    // Grid B's profile answers as if it did not exist.
    await w.goto(`/#/residents/${ids[R3.name]}`);
    await w.getByRole('alert').filter({ hasText: '未找到。' }).waitFor();

    await w.getByRole('link', { name: '返回居民查询' }).click();
    rows = await search(R1.id_number.slice(-4));
    await w.getByLabel('状态').selectOption('all');
    await w.locator(`tr[data-resident-id="${ids[R1.name]}"]`).waitFor();
    await screenshot(w, server.dir, 'desktop-worker-residents');

    // A grid worker imports residents; areas and venues are for administrators.
    await nav.getByRole('link', { name: '导入', exact: true }).click();
    await h1(w, '导入').waitFor();
    assert.equal(await w.getByRole('radio', { name: '居民' }).isChecked(), true);
    assert.equal(await w.getByRole('radio', { name: '区域' }).isDisabled(), true);
    assert.equal(await w.getByRole('radio', { name: '场所' }).isDisabled(), true);
    await w.getByText('区域和场所只能由系统管理员导入。').waitFor();
  });
});
