// The cases UI (issue 10, item 8) in a browser against the real server on
// the demo city: a grid worker files a case on a 390 px phone with a photo
// from the camera input, its inbox counts it, and the case goes to closed
// (accept on the phone; report_done by the centre, which loses a race to the
// grid worker and is told so; verify_pass by the centre), the timeline
// showing each step and the buttons always being exactly the API's
// `actions`. One pass in English handles a small case on the spot. The
// centre's board draws its charts from /api/v1/case-figures and drills down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  PHONE, DESKTOP, apiSession, buildWeb, cleanup, launchBrowser, newPage, overflowX, screenshot, startServer,
} from './helpers.mjs';

let server;
let browser;
let failed = false;
let pw;
let worker; // API sessions
let centre;
let small; // a small category (handled on the spot) from the server's catalogue

before(async () => {
  await buildWeb();
  server = await startServer({ prefix: 'civgrid-e2e-cases-', demo: { residents: 300, seed: 5 } });
  pw = server.demo.password;
  browser = await launchBrowser();
  worker = await apiSession(server.url, 'grid_worker', pw);
  centre = await apiSession(server.url, 'centre_yanggao', pw);
  const meta = await worker('GET', '/api/v1/meta');
  assert.equal(meta.status, 200);
  small = meta.body.case_categories.find((c) => c.size === 'small' && c.domain === 'sanitation')
    || meta.body.case_categories.find((c) => c.size === 'small');
  assert.ok(small, 'the seeded catalogue has a small category');
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    await server.stop();
    await cleanup(server.dir, { failed });
  }
});

async function guard(fn) {
  try {
    await fn();
  } catch (e) {
    failed = true;
    throw e;
  }
}

async function signIn(viewport, username, lang = 'zh-CN') {
  const page = await newPage(browser, server.url, viewport);
  await page.addInitScript((l) => localStorage.setItem('civgrid.lang', l), lang);
  await page.goto('/');
  await page.fill('#login-username', username);
  await page.fill('#login-password', pw);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid="user-name"]');
  return page;
}

/** A small real JPEG, drawn by the browser's canvas. */
async function jpeg(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 96;
    c.height = 64;
    const g = c.getContext('2d');
    g.fillStyle = '#2f7d4f';
    g.fillRect(0, 0, 96, 64);
    g.fillStyle = '#f5d142';
    g.fillRect(20, 12, 40, 30);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  const buf = Buffer.from(b64, 'base64');
  assert.equal(buf[0], 0xff);
  assert.equal(buf[1], 0xd8);
  return buf;
}

/** The action buttons on the case page, in order. */
const buttons = (page) => page.$$eval('[data-testid="case-actions"] button', (bs) => bs.map((b) => b.dataset.action));

/** Waits for the case page at `state`, and checks its buttons are the API's actions for `who`. */
async function expectCase(page, id, state, who) {
  await page.waitForSelector(`[data-testid="case-page"][data-state="${state}"]`);
  const api = await who('GET', `/api/v1/cases/${id}`);
  assert.equal(api.status, 200);
  assert.equal(api.body.state, state);
  const shown = api.body.actions.length ? await buttons(page) : [];
  assert.deepEqual(shown, api.body.actions, `buttons at ${state}`);
  if (!api.body.actions.length) await page.waitForSelector('[data-testid="case-no-actions"]');
  return api.body;
}

/** Opens an action's form, fills its note, sends it. */
async function act(page, action, note) {
  await page.click(`[data-testid="case-actions"] button[data-action="${action}"]`);
  const form = `[data-testid="action-form-${action}"]`;
  await page.waitForSelector(form);
  if (note) await page.fill(`${form} textarea[name="note"]`, note);
  await page.click(`${form} button[type="submit"]`);
}

const timelineActions = (page) => page.$$eval('[data-testid="case-timeline"] > li', (li) => li.map((x) => x.dataset.action));

test('a grid worker files a case with a photo on a phone; it goes to closed, every step in the timeline', () => guard(async () => {
  const page = await signIn(PHONE, 'grid_worker');
  const before = (await worker('GET', '/api/v1/case-counts')).body;

  await page.goto('/#/report');
  await page.waitForSelector('[data-testid="case-form"]');
  assert.equal(await page.inputValue('#case-type'), 'event', 'the first type of the server is the default');
  await page.selectOption('#case-category', small.code);
  await page.fill('#case-headline', '路口垃圾堆放');
  await page.fill('#case-description', '十字路口东北角垃圾堆放，影响通行。');
  await page.fill('#case-address', '东大街与南三路交叉口');
  // The phone's location, when the user asks for it.
  await page.context().grantPermissions(['geolocation']);
  await page.context().setGeolocation({ latitude: 40.361234, longitude: 113.748912 });
  await page.click('.case-locate button');
  await page.waitForFunction(() => /40\.361234/.test(document.querySelector('[data-testid="case-location"]').textContent));
  // The place is the worker's own grid unless another is picked.
  await page.waitForSelector('[data-testid="case-area_code-picked"]');
  const input = page.locator('#case-photos');
  assert.equal(await input.getAttribute('accept'), 'image/*');
  assert.equal(await input.getAttribute('capture'), 'environment');
  await input.setInputFiles({ name: 'scene.jpg', mimeType: 'image/jpeg', buffer: await jpeg(page) });
  await page.waitForSelector('[data-testid="photo-preview"] img');
  assert.ok(await overflowX(page) <= 0, 'the report form fits 390 px');
  await screenshot(page, server.dir, 'cases-report-390-zh');
  await page.click('[data-testid="case-form"] button[type="submit"]');

  await page.waitForURL(/#\/cases\/\d+$/);
  const id = Number(/#\/cases\/(\d+)$/.exec(page.url())[1]);
  const c = await expectCase(page, id, 'reported', worker);
  assert.equal(c.title, '路口垃圾堆放');
  assert.deepEqual(c.location, { lat: 40.361234, lon: 113.748912 });
  assert.equal(c.attachments.length, 1, 'the photo was uploaded after filing');
  assert.equal(c.attachments[0].content_type, 'image/jpeg');
  // The thumbnail loads (the bytes are served to this user), and opens full size.
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="case-photos"] img');
    return img && img.complete && img.naturalWidth === 96;
  });
  await page.click('[data-testid="case-photos"] button');
  await page.waitForSelector('[data-testid="photo-viewer"] img');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid="photo-viewer"]', { state: 'detached' });
  assert.deepEqual(await timelineActions(page), ['report']);
  assert.ok(await overflowX(page) <= 0, 'the case page fits 390 px');
  await screenshot(page, server.dir, 'cases-case-390-zh');

  // The inbox counts it, and the navigation's badge too.
  const after1 = (await worker('GET', '/api/v1/case-counts')).body;
  assert.equal(after1.reported, before.reported + 1);
  await page.goto('/#/cases');
  await page.waitForSelector('[data-testid="case-list"][data-results="ready"]');
  assert.equal(await page.textContent('[data-testid="count-reported"]'), String(after1.reported));
  await page.waitForSelector(`[data-testid="case-list"] a[data-case-id="${id}"]`);
  assert.ok(await overflowX(page) <= 0, 'the inbox fits 390 px');
  await screenshot(page, server.dir, 'cases-inbox-390-zh');
  await page.click('.menu-toggle');
  const badge = await page.textContent('[data-testid="nav-task-badge"] [aria-hidden="true"]');
  assert.equal(Number(badge), after1.reported + after1.handling + after1.done + after1.to_verify);
  await page.click('.menu-toggle');

  // The centre opens it; meanwhile the grid worker accepts it on the
  // phone. The centre's escalate, sent with the version it saw, loses the
  // race (409 case_version_conflict): it is told so and sees the case as it
  // now is, escalated by no one.
  const desk = await signIn(DESKTOP, 'centre_yanggao');
  await desk.goto(`/#/cases/${id}`);
  await expectCase(desk, id, 'reported', centre);
  await desk.click('[data-testid="case-actions"] button[data-action="escalate"]');
  await page.goto(`/#/cases/${id}`);
  await expectCase(page, id, 'reported', worker);
  await act(page, 'accept', '已到现场');
  await expectCase(page, id, 'handling', worker);
  assert.deepEqual(await timelineActions(page), ['report', 'accept']);
  const raced = desk.waitForResponse((r) => /\/actions\/escalate$/.test(r.url()));
  await desk.click('[data-testid="action-form-escalate"] button[type="submit"]');
  const lost = await raced;
  assert.equal(lost.status(), 409);
  assert.equal((await lost.json()).error, 'case_version_conflict');
  await desk.waitForSelector('[data-testid="case-notice"]');
  assert.match(await desk.textContent('[data-testid="case-notice"]'), /他人处理/);
  await expectCase(desk, id, 'handling', centre);
  assert.deepEqual(await timelineActions(desk), ['report', 'accept']);
  await screenshot(desk, server.dir, 'cases-conflict-desktop-zh');

  // The centre copies it to the county's health department, picked from
  // the departments.
  const county = server.demo.logins.find((l) => l.username === 'centre_yanggao').scope;
  const depts = (await centre('GET', '/api/v1/departments')).body.items;
  const health = depts.find((d) => d.code === `${county}-health`) || depts[0];
  await desk.click('[data-testid="case-actions"] button[data-action="copy"]');
  await desk.waitForSelector('[data-testid="action-form-copy"]');
  await desk.click('[data-testid="action-form-copy"] label.segment:has-text("职能部门")');
  await desk.waitForSelector(`#act-copy-to option[value="${health.code}"]`, { state: 'attached' });
  await desk.selectOption('#act-copy-to', health.code);
  await desk.fill('[data-testid="action-form-copy"] textarea[name="note"]', '请卫健部门知悉');
  await desk.click('[data-testid="action-form-copy"] button[type="submit"]');
  await desk.waitForSelector('[data-testid="case-timeline"] li[data-action="copy"]');
  const copied = await expectCase(desk, id, 'handling', centre);
  assert.deepEqual(copied.copies.map((u) => u.department_code), [health.code]);
  assert.ok((await desk.textContent('[data-field="copies"]')).includes(health.name));

  // The centre reports it done, then verifies it: closed.
  await act(desk, 'report_done', '已清理完毕');
  await expectCase(desk, id, 'done', centre);
  await act(desk, 'verify_pass', '核查属实');
  await expectCase(desk, id, 'closed', centre);
  assert.deepEqual(await timelineActions(desk), ['report', 'accept', 'copy', 'report_done', 'verify_pass']);
  const notes = await desk.textContent('[data-testid="case-timeline"]');
  assert.ok(notes.includes('网格员'), 'the actor is named');
  for (const text of ['已到现场', '已清理完毕', '核查属实']) assert.ok(notes.includes(text), text);
  await screenshot(desk, server.dir, 'cases-case-closed-desktop-zh');
  await desk.context().close();
  await page.context().close();
  // The only failed load is the first /me, before the sign-in.
  assert.deepEqual(page.problems.filter((p) => !/status of 401/.test(p)), []);
  assert.deepEqual(desk.problems.filter((p) => !/status of (401|409)/.test(p)), []);
}));

test('in English, a small case is handled on the spot from the phone', () => guard(async () => {
  const page = await signIn(PHONE, 'grid_worker', 'en');
  await page.goto('/#/report');
  await page.waitForSelector('[data-testid="case-form"]');
  assert.equal(await page.textContent('#page-title'), 'Report a case');
  // The type decides the fields: a dispute asks for its parties, an
  // assistance for the person to locate (the types' `required` from meta).
  await page.selectOption('#case-type', 'dispute');
  await page.waitForSelector('#case-parties[required]');
  await page.selectOption('#case-type', 'assistance');
  await page.waitForSelector('#case-person_name[required]');
  assert.equal(await page.$('#case-parties'), null);
  await page.selectOption('#case-type', 'event');
  await page.waitForSelector('#case-person_name', { state: 'detached' });
  await page.selectOption('#case-category', small.code);
  await page.fill('#case-headline', 'Litter by the bus stop');
  await page.click('[data-testid="case-form"] button[type="submit"]');
  await page.waitForURL(/#\/cases\/\d+$/);
  const id = Number(/#\/cases\/(\d+)$/.exec(page.url())[1]);
  await expectCase(page, id, 'reported', worker);
  await screenshot(page, server.dir, 'cases-case-390-en');
  // The evidence is required: the form says so in English before sending.
  await page.click('[data-testid="case-actions"] button[data-action="handle_on_spot"]');
  await page.click('[data-testid="action-form-handle_on_spot"] button[type="submit"]');
  await page.waitForSelector('[data-testid="action-form-handle_on_spot"] .field-error');
  await screenshot(page, server.dir, 'cases-action-390-en');
  await page.fill('[data-testid="action-form-handle_on_spot"] textarea[name="note"]', 'Picked up');
  await page.locator('#act-handle_on_spot-photos').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg(page) });
  await page.click('[data-testid="action-form-handle_on_spot"] button[type="submit"]');
  const c = await expectCase(page, id, 'closed', worker);
  assert.deepEqual(await timelineActions(page), ['report', 'handle_on_spot']);
  const ev = c.events.find((e) => e.action === 'handle_on_spot');
  assert.equal(ev.attachments.length, 1, 'the photo is the action\'s');
  await page.waitForSelector('[data-testid="case-timeline"] li[data-action="handle_on_spot"] img');
  assert.ok(await overflowX(page) <= 0);
  await page.goto('/#/cases?view=all');
  await page.waitForSelector('[data-testid="case-list"][data-results="ready"]');
  await page.waitForSelector('[data-testid="table-total"]');
  await screenshot(page, server.dir, 'cases-list-390-en');
  assert.ok(await overflowX(page) <= 0);
  await page.context().close();
}));

test('the centre\'s board draws its charts and drills down to a child area', (t) => guard(async () => {
  const figures = await centre('GET', '/api/v1/case-figures?by=domain');
  const page = await signIn(DESKTOP, 'centre_yanggao');
  const answer = page.waitForResponse((r) => /\/api\/v1\/case-figures\?.*by=domain/.test(r.url()));
  await page.goto('/#/case-board');
  await page.waitForSelector('[data-testid="case-board"]');
  const shown = await (await answer).json();
  if (figures.status === 404) {
    // The figures API is another part of issue 10: until it is there the
    // board says so instead of drawing empty charts.
    await page.waitForSelector('[data-testid="board-no-figures"]');
    t.skip('GET /api/v1/case-figures is not there yet');
    return;
  }
  assert.equal(figures.status, 200, JSON.stringify(figures.body));
  await page.waitForSelector('[data-testid="chart-domain"] canvas');
  assert.ok(Number(await page.getAttribute('[data-testid="chart-domain"]', 'data-points')) > 0);
  await page.waitForSelector('[data-testid="chart-area"] canvas');
  await page.waitForSelector('[data-testid="chart-months"] canvas');
  assert.ok(shown.total.filed >= 2, 'the two cases filed above are counted');
  assert.equal(await page.textContent('[data-testid="kpi-filed"]'), shown.total.filed.toLocaleString('en-US'));
  await screenshot(page, server.dir, 'cases-board-desktop-zh');
  const top = await page.getAttribute('[data-testid="case-board"]', 'data-area');
  await page.click('[data-testid="board-children"] a >> nth=0');
  await page.waitForFunction((a) => document.querySelector('[data-testid="case-board"]').dataset.area !== a, top);
  await page.waitForSelector('[data-testid="board-trail"] a');
  await page.context().close();

  const phone = await signIn(PHONE, 'centre_yanggao');
  await phone.goto('/#/case-board');
  await phone.waitForSelector('[data-testid="chart-domain"] canvas');
  assert.ok(await overflowX(phone) <= 0, 'the board fits 390 px');
  await screenshot(phone, server.dir, 'cases-board-390-zh');
  await phone.context().close();

  const en = await signIn(PHONE, 'centre_yanggao', 'en');
  await en.goto('/#/case-board');
  await en.waitForSelector('[data-testid="chart-domain"] canvas');
  assert.equal(await en.textContent('#page-title'), 'Case board');
  assert.ok(await overflowX(en) <= 0, 'the board fits 390 px in English');
  await screenshot(en, server.dir, 'cases-board-390-en');
  // A closed dispute of the demo's year shows its outcome in words.
  const disputes = await centre('GET', '/api/v1/cases?type=dispute&state=closed&limit=1');
  if (disputes.body.items && disputes.body.items.length) {
    const d = disputes.body.items[0];
    await en.goto(`/#/cases/${d.id}`);
    await en.waitForSelector('[data-testid="case-page"][data-state="closed"]');
    if (d.outcome) assert.ok(!(await en.textContent('[data-field="outcome"]')).includes('case.outcome'));
    assert.ok(await overflowX(en) <= 0);
    await screenshot(en, server.dir, 'cases-dispute-390-en');
  }
  await en.context().close();
}));
