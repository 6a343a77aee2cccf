// Area cards in the browser (issue 9, finding 3): a county card leads with its
// child areas and their figures, then its people grouped by position, a long
// group collapsed to its first few with "show all (N)" that pages through the
// server; a community and a grid card show their people directly. Screenshots
// of the city, county, community and grid cards (zh-CN, en, phone) go to the
// temp dir.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DESKTOP, PHONE, apiSession, buildWeb, cleanup, cli, launchBrowser, loginUI, newPage, overflowX,
  screenshot, startServer,
} from './helpers.mjs';

const COUNTY = '140200';
const COMMUNITY = '14020101';
const GRIDS = 8; // more than the 5 a county card lists of a position
const AREAS = [
  [COUNTY, null, 'county', '新荣区'],
  ['140201', COUNTY, 'town', '新荣镇'],
  ['140202', COUNTY, 'town', '堡子湾乡'],
  [COMMUNITY, '140201', 'community', '幸福社区'],
  ...Array.from({ length: GRIDS }, (_, i) => [`${COMMUNITY}0${i + 1}`, COMMUNITY, 'grid', `第${i + 1}网格`]),
  [`${COMMUNITY}0101`, `${COMMUNITY}01`, 'building', '1号楼'],
];
const GRID = `${COMMUNITY}01`;

describe('area cards', { timeout: 120_000 }, () => {
  let server;
  let browser;
  const pages = [];

  before(async () => {
    await buildWeb();
    server = await startServer({ prefix: 'civgrid-e2e-cards-' });
    console.log(`server ${server.url}, temp dir ${server.dir}`);
    for (const [code, parent, level, name] of AREAS) {
      const args = ['area', 'add', code, '--level', level, '--name', name, '--db', server.db];
      if (parent) args.push('--parent', parent);
      await cli(args);
    }
    const admin = await apiSession(server.url, 'admin', server.adminPassword);
    const staff = [
      { area_code: COUNTY, position: 'commander', name: '赵区长', phone: '13900000001' },
      { area_code: '140201', position: 'commander', name: '钱镇长', phone: '13900000002' },
      { area_code: COMMUNITY, position: 'grid_head', name: '孙网格长', phone: '13900000003' },
      { area_code: `${COMMUNITY}0101`, position: 'building_head', name: '周楼长' },
      ...Array.from({ length: GRIDS }, (_, i) => ({
        area_code: `${COMMUNITY}0${i + 1}`, position: 'grid_worker', name: `网格员${i + 1}`, phone: `1390000100${i}`,
      })),
    ];
    for (const s of staff) {
      const res = await admin('POST', '/api/v1/staff', s);
      assert.equal(res.status, 201, `assign ${s.name}: ${JSON.stringify(res.body)}`);
    }
    browser = await launchBrowser();
  });

  after(async () => {
    // Chromium logs every 4xx answer (the 401 of /me before login) as a console error.
    const problems = pages.flatMap((p) => p.problems).filter((p) => !/Failed to load resource/.test(p));
    if (browser) await browser.close();
    if (server) {
      await server.stop();
      await cleanup(server.dir, { failed: problems.length > 0 });
    }
    assert.deepEqual(problems, [], 'a page logged script errors');
  });

  async function open(viewport) {
    const p = await newPage(browser, server.url, viewport);
    p.context().setDefaultTimeout(10_000);
    pages.push(p);
    await loginUI(p, 'admin', server.adminPassword);
    return p;
  }

  async function visit(p, code) {
    await p.goto(`/#/areas/${code}`);
    await p.locator(`[data-area="${code}"]`).getByTestId('area-card').locator('.stat-row').waitFor();
  }

  // Proves: the county card shows its child areas with their figures before
  // the card; the grid workers' group lists 5 of 8 and "show all (8)" loads
  // them all from the server, and "show fewer" folds them again.
  it('a county card leads with its child areas and collapses a long role group', async () => {
    const page = await open(DESKTOP);
    await visit(page, COUNTY);
    const kids = page.getByTestId('child-figures');
    await kids.waitFor();
    const order = await page.evaluate(() => {
      const k = document.querySelector('[data-testid="child-figures"]');
      const c = document.querySelector('[data-testid="area-card"]');
      return k.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(order, 'the child areas come before the card');
    assert.deepEqual(await kids.locator('li').evaluateAll((ls) => ls.map((l) => l.dataset.code)), ['140201', '140202']);
    const town = await kids.locator('li[data-code="140201"]').innerText();
    assert.match(town, /网格\s*8/, town);
    assert.match(town, /网格员\s*8/, town);
    const card = page.getByTestId('area-card');
    assert.equal((await card.getByTestId('card-grids').textContent()).trim(), String(GRIDS));
    assert.equal((await card.getByTestId('card-buildings').textContent()).trim(), '1');
    const workers = card.getByTestId('staff-group-grid_worker');
    assert.equal(await workers.locator('li.person').count(), 5);
    const more = workers.getByRole('button', { name: `显示全部（${GRIDS}）` });
    await more.click();
    await workers.locator('li.person').nth(GRIDS - 1).waitFor();
    assert.equal(await workers.locator('li.person').count(), GRIDS);
    await screenshot(page, server.dir, 'card-county-zh-open');
    await workers.getByRole('button', { name: '收起' }).click();
    await workers.getByRole('button', { name: `显示全部（${GRIDS}）` }).waitFor();
    assert.equal(await workers.locator('li.person').count(), 5);
    // Both commanders are in their group; the grid head too.
    assert.equal(await card.getByTestId('staff-group-commander').locator('li.person').count(), 2);
    assert.equal(await card.getByTestId('staff-group-grid_head').locator('li.person').count(), 1);
    await screenshot(page, server.dir, 'card-county-zh');
    await page.getByRole('button', { name: 'English' }).click();
    await card.getByTestId('staff-group-grid_worker').getByRole('button', { name: `Show all (${GRIDS})` }).waitFor();
    await kids.getByRole('heading', { name: /Child areas at a glance/ }).waitFor();
    await screenshot(page, server.dir, 'card-county-en');
    await page.getByRole('button', { name: '中文' }).click();
  });

  // Proves: a community card and a grid card list their people directly,
  // grouped by position, with the chain above them; the city (the scope
  // root) card leads with its children too; every card fits a phone.
  it('community and grid cards show their people; every card fits a phone', async () => {
    const page = await open(DESKTOP);
    await visit(page, COMMUNITY);
    const card = page.getByTestId('area-card');
    assert.equal(await page.getByTestId('child-figures').count(), 0, 'a community lists its children as before');
    assert.equal(await card.getByTestId('staff-group-grid_worker').locator('li.person').count(), GRIDS);
    assert.equal(await card.getByTestId('show-all').count(), 0);
    await screenshot(page, server.dir, 'card-community-zh');
    await visit(page, GRID);
    assert.equal(await card.getByTestId('staff-group-building_head').locator('li.person').count(), 1);
    assert.equal(await card.locator('ul.chain[aria-label="上级责任人"] li.person').count(), 3, 'two commanders and the grid head above');
    await screenshot(page, server.dir, 'card-grid-zh');
    await page.getByRole('button', { name: 'English' }).click();
    await card.getByRole('heading', { name: 'People here, by position' }).waitFor();
    await screenshot(page, server.dir, 'card-grid-en');
    await page.getByRole('button', { name: '中文' }).click();

    const phone = await open(PHONE);
    await phone.goto('/#/areas');
    await phone.getByTestId('child-figures').waitFor();
    await screenshot(phone, server.dir, 'card-city-phone');
    for (const code of [COUNTY, COMMUNITY, GRID]) {
      await visit(phone, code);
      assert.equal(await overflowX(phone), 0, `the ${code} card fits 390 px`);
      await screenshot(phone, server.dir, `card-${code}-phone`);
    }
  });
});
