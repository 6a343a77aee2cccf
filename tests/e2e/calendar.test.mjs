// The working-day calendar page against the real binary, in Chromium: the
// centre's administrator sees the seeded National Day 2026 and its make-up
// days, works out the deadline of a case filed on 2026-09-30, marks a day and
// sees the deadline move, removes the mark; the page in English and at phone
// width (no sideways scrolling). Screenshots go to the temp dir.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DESKTOP, PHONE, buildWeb, cleanup, launchBrowser, loginUI, newPage, overflowX, screenshot, startServer,
} from './helpers.mjs';

describe('working-day calendar page', { timeout: 120_000 }, () => {
  let server;
  let browser;
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
    server = await startServer({ prefix: 'civgrid-e2e-calendar-' });
    browser = await launchBrowser();
  });

  after(async () => {
    // Chromium logs the 401 of /me before sign-in as a failed resource.
    const problems = pages.flatMap((p) => p.problems).filter((p) => !/Failed to load resource/.test(p));
    if (browser) await browser.close();
    if (server) {
      await server.stop();
      await cleanup(server.dir, { failed });
    }
    assert.deepEqual(problems, [], 'a page logged script errors');
  });

  step('admin reads 2026, works out a deadline, marks and unmarks a day', async () => {
    const page = await open(DESKTOP);
    await loginUI(page, 'admin', server.adminPassword);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '工作日历', exact: true }).click();
    await page.goto('/#/calendar?year=2026');
    await page.getByRole('heading', { level: 1, name: '工作日历' }).waitFor();
    await page.locator('tr[data-date="2026-10-01"][data-kind="holiday"]').waitFor();
    await page.locator('tr[data-date="2026-10-10"][data-kind="workday"]').waitFor();
    assert.match(await page.locator('tr[data-date="2026-10-10"]').innerText(), /星期六[\s\S]*调休上班/);

    const deadline = page.getByTestId('calendar-deadline');
    await deadline.getByLabel('开始日期').fill('2026-09-30');
    await deadline.getByLabel('工作日数').fill('2');
    await deadline.getByRole('button', { name: '计算' }).click();
    await page.getByTestId('calendar-due').filter({ hasText: '到 2026-10-09 当天结束' }).waitFor();
    await screenshot(page, server.dir, 'calendar-zh-desktop');

    const mark = page.getByTestId('calendar-mark');
    await mark.getByLabel('日期').fill('2026-10-09');
    await mark.getByLabel('名称').fill('临时停工');
    await mark.getByRole('button', { name: '保存' }).click();
    await page.locator('tr[data-date="2026-10-09"][data-kind="holiday"]').waitFor();
    await deadline.getByRole('button', { name: '计算' }).click();
    await page.getByTestId('calendar-due').filter({ hasText: '到 2026-10-10 当天结束' }).waitFor();

    await page.locator('tr[data-date="2026-10-09"]').getByRole('button', { name: '取消标注' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '取消标注' }).click();
    await page.locator('tr[data-date="2026-10-09"]').waitFor({ state: 'detached' });

    await page.goto('/#/calendar?year=2027');
    await page.getByTestId('calendar-provisional').waitFor();
  });

  step('the page in English at phone width fits the screen', async () => {
    const page = await open(PHONE);
    await loginUI(page, 'admin', server.adminPassword);
    await page.evaluate(() => localStorage.setItem('civgrid.lang', 'en'));
    await page.goto('/#/calendar?year=2026');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Working-day calendar' }).waitFor();
    await page.locator('tr[data-date="2026-10-01"]').filter({ hasText: 'Holiday' }).waitFor();
    assert.equal(await overflowX(page), 0, 'no sideways scrolling at 390 px');
    await screenshot(page, server.dir, 'calendar-en-phone');
  });
});
