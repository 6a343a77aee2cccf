// The import page in the office's words (issue 9, finding 6): the columns
// table lists what each coded column accepts in the UI's language (resident
// types, ledgers), and a report words every error of a row from its reason
// and value, in zh-CN and in English, instead of the server's English message.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DESKTOP, PHONE, buildWeb, cleanup, cli, idNumber, launchBrowser, loginUI, newPage, overflowX, screenshot, startServer,
} from './helpers.mjs';

const BAD_ROW_CSV = 'id_number,name,phone,area_code,resident_type,tags\n' +
  `${idNumber('14020219800101123').slice(0, 17)}0,张三,1381234,B1,常驻,不存在的台账\n`;

describe('import page in words', { timeout: 120_000 }, () => {
  let server, browser, page;
  let failed = false;

  before(async () => {
    await buildWeb();
    server = await startServer({ prefix: 'civgrid-e2e-impwords-' });
    await cli(['area', 'add', 'C1', '--level', 'county', '--name', '阳高县', '--db', server.db]);
    await cli(['area', 'add', 'G1', '--level', 'grid', '--name', '一网格', '--parent', 'C1', '--db', server.db]);
    await cli(['area', 'add', 'B1', '--level', 'building', '--name', '1号楼', '--parent', 'G1', '--db', server.db]);
    browser = await launchBrowser();
    page = await newPage(browser, server.url, DESKTOP);
    await loginUI(page, 'admin', server.adminPassword);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) {
      await server.stop();
      await cleanup(server.dir, { failed });
    }
  });

  async function uploadBadRow() {
    await page.goto('/#/import');
    await page.locator('#import-file').setInputFiles({ name: 'residents.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_ROW_CSV) });
    await page.locator('form button[type="submit"]').click();
    await page.getByTestId('import-errors').waitFor();
    return page.getByTestId('import-errors').locator('tbody tr');
  }

  it('lists the accepted values and words every error of a row in Chinese', async () => {
    try {
      await page.goto('/#/import');
      const types = page.getByTestId('accepts-resident_type');
      await types.waitFor();
      assert.match(await types.innerText(), /户籍（常住）.*流动/);
      const tags = page.getByTestId('accepts-tags');
      await tags.getByText(/党员/).waitFor();
      assert.match(await tags.innerText(), /志愿者/);
      const rows = await uploadBadRow();
      assert.equal(await rows.count(), 4, 'every bad field of the row is listed: ID, phone, type, ledger');
      const text = await page.getByTestId('import-errors').innerText();
      assert.match(text, /身份证号“[0-9X]+”(不正确|的校验位错误|中的出生日期不存在)/);
      assert.match(text, /不是11位手机号码/);
      assert.match(text, /不能填“常驻”/);
      assert.match(text, /没有名为“不存在的台账”的台账/);
      assert.doesNotMatch(text, /unknown ledger|is not an 11-digit/);
      await screenshot(page, server.dir, 'import-words-zh');
    } catch (e) { failed = true; throw e; }
  });

  it('words the same errors and values in English', async () => {
    try {
      await page.evaluate(() => localStorage.setItem('civgrid.lang', 'en'));
      await page.reload();
      const types = page.getByTestId('accepts-resident_type');
      await types.waitFor();
      assert.match(await types.innerText(), /permanent, floating/);
      await page.getByTestId('accepts-tags').getByText(/Party members/).waitFor();
      await uploadBadRow();
      const text = await page.getByTestId('import-errors').innerText();
      assert.match(text, /no ledger named “不存在的台账”/);
      assert.match(text, /cannot be “常驻”/);
      await screenshot(page, server.dir, 'import-words-en');
      const phone = await newPage(browser, server.url, PHONE);
      await loginUI(phone, 'admin', server.adminPassword);
      await phone.goto('/#/import');
      await phone.getByTestId('accepts-tags').getByText(/党员/).waitFor();
      assert.equal(await overflowX(phone), 0, 'no horizontal scroll at 390 px');
      await screenshot(phone, server.dir, 'import-words-phone');
    } catch (e) { failed = true; throw e; }
  });
});
