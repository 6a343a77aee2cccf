// The web UI's files: compressed when the client takes gzip, cached by the
// browser (a year for the hashed bundles and chunks, revalidated for
// index.html), a 304 for a tag the browser already holds, and a favicon; the
// JavaScript of the first load stays within its budget, ECharts outside it.
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { repoFile, startServer } from './harness.mjs';

const webSrc = new URL('../../web/', import.meta.url).pathname;

// The most JavaScript, gzip-compressed as it is sent, that the browser fetches
// before the UI starts: app.js and the chunks it imports statically. Measured
// at 49.3 KiB (issue 9, ECharts split off), then 63.3 KiB once every error
// code and field reason had words in both languages and the cases and calendar
// texts joined the catalogue (their pages load on first use); the budget leaves
// about 10 % for growth (docs/benchmarks.md). Raising it is a decision, not a fix.
const FIRST_LOAD_GZIP_BUDGET = 70 * 1024;

/** A raw GET (node's fetch would unpack gzip and hide the bytes sent). */
function rawGet(base, path, headers = {}) {
  return new Promise((ok, fail) => {
    get(base + path, { headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', fail);
  });
}

describe('static files', () => {
  let srv;
  let dist;
  let report;
  before(async () => {
    const { buildWithReport } = await import(join(webSrc, 'build.mjs'));
    ({ dir: dist, report } = await buildWithReport({ quiet: true }));
    srv = await startServer({ args: ['--web-root', dist] });
  });
  after(async () => { if (srv) await srv.stop(); });

  // Proves: a client that takes gzip gets the bundle gzip-encoded, with Vary,
  // and the bytes unpack to the file; a client that does not gets it plain.
  it('serves the bundle gzip-encoded when asked, plain otherwise', async () => {
    const html = (await rawGet(srv.url, '/')).body.toString();
    const js = /src="(app\.js\?v=[0-9a-f]+)"/.exec(html);
    assert.ok(js, `index.html names no hashed app.js: ${html}`);
    const gz = await rawGet(srv.url, `/${js[1]}`, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gz.headers.vary || '', /Accept-Encoding/i);
    assert.match(gz.headers['content-type'], /^text\/javascript/);
    const plain = await rawGet(srv.url, `/${js[1]}`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(gz.body.length < plain.body.length / 2, `${gz.body.length} vs ${plain.body.length}`);
    assert.deepEqual(gunzipSync(gz.body), plain.body);
    const refused = await rawGet(srv.url, `/${js[1]}`, { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  // Proves: a hashed bundle may be kept for a year; index.html is
  // revalidated every time and answered 304 for the tag the browser holds.
  it('caches bundles long and revalidates index.html with its ETag', async () => {
    const first = await rawGet(srv.url, '/', { 'accept-encoding': 'gzip' });
    assert.equal(first.status, 200);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = first.headers.etag;
    assert.match(etag || '', /^"[^"]+"$/);
    const again = await rawGet(srv.url, '/', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    // The plain bytes carry another tag: a 304 never hands one for the other.
    const plain = await rawGet(srv.url, '/', { 'if-none-match': etag });
    assert.equal(plain.status, 200);
    assert.notEqual(plain.headers.etag, etag);

    const html = plain.body.toString();
    const css = /href="(app\.css\?v=[0-9a-f]+)"/.exec(html);
    assert.ok(css, html);
    const res = await rawGet(srv.url, `/${css[1]}`, { 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.match(res.headers['cache-control'], /max-age=31536000/);
    const cached = await rawGet(srv.url, `/${css[1]}`, { 'accept-encoding': 'gzip', 'if-none-match': res.headers.etag });
    assert.equal(cached.status, 304);
  });

  // Proves: /favicon.ico answers with an icon and index.html links one.
  it('has a favicon', async () => {
    const ico = await rawGet(srv.url, '/favicon.ico');
    assert.equal(ico.status, 200);
    assert.equal(ico.headers['content-type'], 'image/x-icon');
    assert.deepEqual([...ico.body.subarray(0, 4)], [0, 0, 1, 0]); // an ICO header
    const svg = await rawGet(srv.url, '/favicon.svg');
    assert.equal(svg.status, 200);
    assert.match(svg.headers['content-type'], /^image\/svg\+xml/);
    assert.match(repoFile('web/src/index.html'), /<link rel="icon" href="favicon\.svg"/);
  });

  // Proves: the first load (app.js and its static imports) is within the
  // budget, and ECharts is not part of it but a chunk loaded with import().
  it('keeps the first load within its budget and ECharts out of it', () => {
    const { first_load: first, lazy } = report;
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    const files = first.files.map((f) => `${f.file} ${kib(f.gzip)}`).join(', ');
    assert.ok(first.gzip <= FIRST_LOAD_GZIP_BUDGET,
      `first-load JS is ${kib(first.gzip)} gzip (${files}), over the budget of ${kib(FIRST_LOAD_GZIP_BUDGET)}`);
    assert.equal(first.files[0].file, 'app.js');
    const charts = lazy.find((f) => f.source === 'web/src/components/echarts.js');
    assert.ok(charts, `no chunk of its own for ECharts: ${JSON.stringify(lazy)}`);
    assert.match(charts.file, /^chunks\/echarts-[0-9A-Z]{8}\.js$/);
    assert.ok(!first.files.some((f) => f.file === charts.file), 'ECharts is loaded up front');
  });

  // Proves: the chunks app.js names are served like the bundle: gzip with
  // Vary, a year's cache (their names change with their content), a 304 for
  // the tag held; index.html preloads the static ones.
  it('serves the chunks compressed and cached like the bundle', async () => {
    const html = (await rawGet(srv.url, '/')).body.toString();
    const js = /src="(app\.js\?v=[0-9a-f]+)"/.exec(html);
    // The chunks app.js names, and those they name in turn (a chunk shared by
    // several pages names the charts chunk when more than one page draws charts).
    const names = (text) => [...text.matchAll(/"\.\.?\/(?:chunks\/)?([\w-]+\.js)"/g)]
      .map((m) => `chunks/${m[1]}`).filter((f) => f !== 'chunks/app.js');
    const named = names((await rawGet(srv.url, `/${js[1]}`)).body.toString());
    for (let i = 0; i < named.length; i++) {
      for (const f of names((await rawGet(srv.url, `/${named[i]}`)).body.toString())) {
        if (!named.includes(f)) named.push(f);
      }
    }
    const charts = report.lazy.find((f) => f.source === 'web/src/components/echarts.js').file;
    assert.ok(named.includes(charts), `the bundle names ${named.join(', ')}, not ${charts}`);
    for (const f of report.first_load.files.slice(1)) {
      assert.ok(html.includes(`<link rel="modulepreload" href="${f.file}">`), `index.html preloads ${f.file}`);
    }
    for (const chunk of new Set(named)) {
      const gz = await rawGet(srv.url, `/${chunk}`, { 'accept-encoding': 'gzip' });
      assert.equal(gz.status, 200, chunk);
      assert.equal(gz.headers['content-encoding'], 'gzip', chunk);
      assert.match(gz.headers.vary || '', /Accept-Encoding/i);
      assert.match(gz.headers['content-type'], /^text\/javascript/);
      assert.equal(gz.headers['cache-control'], 'public, max-age=31536000, immutable', chunk);
      const plain = await rawGet(srv.url, `/${chunk}`);
      assert.deepEqual(gunzipSync(gz.body), plain.body);
      const again = await rawGet(srv.url, `/${chunk}`, { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag });
      assert.equal(again.status, 304, chunk);
    }
    // A file outside chunks/ without ?v= is not kept for a year.
    assert.equal((await rawGet(srv.url, '/favicon.svg')).headers['cache-control'], 'public, max-age=3600');
  });
});
