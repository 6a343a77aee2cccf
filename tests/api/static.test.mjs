// The web UI's files: compressed when the client takes gzip, cached by the
// browser (a year for the hashed bundles, revalidated for index.html), a 304
// for a tag the browser already holds, and a favicon.
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { repoFile, startServer } from './harness.mjs';

const webSrc = new URL('../../web/', import.meta.url).pathname;

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
  before(async () => {
    const { build } = await import(join(webSrc, 'build.mjs'));
    dist = await build({ quiet: true });
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
});
