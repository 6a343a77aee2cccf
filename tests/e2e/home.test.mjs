// The home page on the demo city: every demo login's home draws its scope's
// figures as ECharts canvases with data (the key numbers agree with the API),
// the centre's home fills a 2560-pixel wall screen and says when it last
// fetched, and the page fits a phone; ECharts is downloaded by the home only,
// not by the login or residents pages, and a chart whose code cannot be
// fetched says so. Screenshots in zh-CN and en.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  PHONE, apiSession, buildWeb, cleanup, launchBrowser, loginUI, newPage, screenshot, startServer,
} from './helpers.mjs';

const WALL = { width: 2560, height: 1440 };
// Chromium logs every 4xx answer (the 401 of /me before login) as an error.
const expectedProblem = (p) => /Failed to load resource/.test(p);
// The chunk holding ECharts (web/build.mjs names it by its content).
const CHART_CHUNK = /\/chunks\/echarts-[0-9A-Z]+\.js$/;

/** How many pixels of the chart's canvas are drawn (not transparent). */
async function drawnPixels(page, testid) {
  return page.getByTestId(testid).locator('canvas').first().evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
    return n;
  });
}

/** Waits for the figures and checks the charts and key numbers against the API. */
async function checkHome(page, figures, label) {
  await page.getByTestId('home-figures').waitFor();
  const charts = ['chart-composition', 'chart-week'];
  if (figures.children.length) charts.push('chart-children');
  // Ledgers are counted for the roles that read people only.
  if (figures.ledger_list.length) charts.push('chart-ledgers');
  for (const id of charts) {
    const chart = page.getByTestId(id);
    await chart.locator('canvas').first().waitFor();
    assert.ok(Number(await chart.getAttribute('data-points')) > 0, `${label}: ${id} has data`);
    // ECharts animates in: wait until the canvas holds more than its axes.
    let drawn = 0;
    for (let i = 0; i < 40 && drawn < 2000; i++) {
      drawn = await drawnPixels(page, id);
      if (drawn < 2000) await page.waitForTimeout(100);
    }
    assert.ok(drawn >= 2000, `${label}: ${id} draws (${drawn} pixels)`);
  }
  const num = async (id) => Number((await page.getByTestId(id).textContent()).replace(/,/g, ''));
  assert.equal(await num('kpi-population'), figures.population, `${label}: population`);
  assert.equal(await num('kpi-floating'), figures.floating, `${label}: floating`);
  assert.ok(figures.population > 0, `${label}: the demo scope has residents`);
  if (figures.children.length) {
    assert.equal((await page.getByTestId('table-total').textContent()).trim(),
      `共 ${figures.children_total.toLocaleString('en-US')} 条`, `${label}: the table says its total`);
  }
}

describe('home page', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let failed = false;
  const pages = [];

  before(async () => {
    await buildWeb();
    server = await startServer({ demo: { residents: 3000, seed: 3 } });
    console.log(`server ${server.url}, temp dir ${server.dir}`);
    browser = await launchBrowser();
  });

  after(async () => {
    const problems = pages.flatMap((p) => p.problems.filter((x) => !expectedProblem(x)));
    if (browser) await browser.close();
    if (server) {
      await server.stop();
      if (failed) console.log(`server log:\n${server.logs()}`);
      await cleanup(server.dir, { failed });
    }
    assert.deepEqual(problems, [], 'the pages logged script errors');
  });

  const passwordOf = (l) => (l.username === 'admin' ? server.adminPassword : server.demo.password);

  it('every demo login sees its figures as charts with data', async () => {
    try {
      assert.ok(server.demo.logins.length >= 6);
      for (const l of server.demo.logins) {
        const call = await apiSession(server.url, l.username, passwordOf(l));
        const me = (await call('GET', '/api/v1/me')).body.user;
        const figures = await call('GET', `/api/v1/areas/${me.scope.code}/figures`);
        assert.equal(figures.status, 200, `${l.username}: ${JSON.stringify(figures.body)}`);
        const page = await newPage(browser, server.url, l.role === 'centre' ? WALL : undefined);
        pages.push(page);
        page.context().setDefaultTimeout(15_000);
        await loginUI(page, l.username, passwordOf(l));
        await checkHome(page, figures.body, l.username);
        if (l.role === 'centre') {
          assert.match(await page.getByTestId('home-refreshed').textContent(), /每分钟自动刷新/);
          // The wall screen's layout uses its width: no page-wide scroll, the
          // four charts in one row.
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.equal(width, WALL.width, `${l.username}: no horizontal scroll`);
          const tops = await page.locator('.chart-panel').evaluateAll((els) =>
            els.map((e) => Math.round(e.getBoundingClientRect().top)));
          assert.equal(new Set(tops).size, 1, `${l.username}: the charts share a row`);
        }
        await screenshot(page, server.dir, `home-${l.username}-zh`);
        await page.context().close();
      }
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  it('the centre wall screen in English and a grid worker on a phone', async () => {
    try {
      const centre = server.demo.logins.find((l) => l.role === 'centre');
      let page = await newPage(browser, server.url, WALL);
      pages.push(page);
      await loginUI(page, centre.username, passwordOf(centre));
      await page.getByTestId('home-figures').waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByText('Residents by type').first().waitFor();
      assert.match(await page.getByTestId('home-refreshed').textContent(), /Refreshes every minute/);
      await page.waitForTimeout(800);
      await screenshot(page, server.dir, 'home-centre-en-2560');
      await page.context().close();

      for (const role of ['grid_worker', 'centre']) {
        const l = server.demo.logins.find((x) => x.role === role);
        page = await newPage(browser, server.url, PHONE);
        pages.push(page);
        await loginUI(page, l.username, passwordOf(l));
        await page.getByTestId('chart-week').locator('canvas').first().waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= PHONE.width, `${l.username} on a phone: page is ${width} px wide`);
        await page.waitForTimeout(800);
        await screenshot(page, server.dir, `home-${l.username}-phone`);
        await page.context().close();
      }
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  it('only the home downloads the chart chunk', async () => {
    try {
      const l = server.demo.logins.find((x) => x.role === 'grid_worker');
      const page = await newPage(browser, server.url);
      pages.push(page);
      page.context().setDefaultTimeout(15_000);
      const scripts = [];
      page.on('request', (req) => {
        if (req.resourceType() === 'script') scripts.push(new URL(req.url()).pathname);
      });
      const charts = () => scripts.filter((p) => CHART_CHUNK.test(p));
      // Asking for the residents page signed out shows the login page, and
      // returns to the residents page after signing in.
      await page.goto('/#/residents');
      await page.waitForURL(/#\/login$/);
      await page.getByLabel('用户名', { exact: true }).waitFor();
      assert.ok(scripts.some((p) => p === '/app.js'), `the page loads app.js: ${scripts}`);
      assert.deepEqual(charts(), [], 'the login page loads no charts');
      await page.getByLabel('用户名', { exact: true }).fill(l.username);
      await page.getByLabel('密码', { exact: true }).fill(passwordOf(l));
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(/#\/residents$/);
      await page.locator('table.data-table tbody tr').first().waitFor();
      assert.deepEqual(charts(), [], 'the residents page loads no charts');

      await page.goto('/#/');
      await page.getByTestId('chart-composition').locator('canvas').first().waitFor();
      assert.equal(charts().length, 1, `the home loads the chart chunk once: ${scripts}`);
      await page.context().close();

      // A page opened before the server was updated asks for a chunk that is
      // gone: the charts say so instead of staying blank; the figures stay.
      const stale = await newPage(browser, server.url);
      pages.push(stale);
      stale.context().setDefaultTimeout(15_000);
      await stale.route(CHART_CHUNK, (route) => route.fulfill({ status: 404, body: 'not found' }));
      await loginUI(stale, l.username, passwordOf(l));
      const failedCharts = stale.getByTestId('chart-failed');
      await failedCharts.first().waitFor();
      assert.equal(await failedCharts.count(), await stale.locator('.chart-panel').count());
      assert.equal(await failedCharts.first().textContent(), '图表未能加载，请刷新页面后再试。');
      await stale.getByTestId('kpi-population').waitFor();
      await stale.context().close();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});
