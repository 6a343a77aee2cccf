// Builds web/src into web/dist: index.html, app.js, app.css (minified),
// chunks/*.js, favicon.svg and favicon.ico, and beside each text file a .gz
// twin that the server sends to clients accepting gzip (src/http/static.c).
// The entry's names stay fixed so the server needs no manifest; index.html
// asks for them with ?v=<content hash>, so a new build is never hidden by a
// cache and the server may let browsers keep them for a year.
// Code split off with import() (ECharts, web/src/components/echarts.js) goes
// to chunks/NAME-HASH.js: named by its content, so the server lets browsers
// keep anything under chunks/ for a year as well, and app.js, which names the
// chunk, changes (and gets a new ?v=) whenever a chunk does.
//
//   node web/build.mjs            build once
//   node web/build.mjs --dev      unminified, with inline source maps
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, crc32, deflateSync, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const srcDir = join(here, 'src');
export const distDir = join(here, 'dist');

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 12);

/** Builds web/dist and resolves with its path. */
export async function build(options) {
  return (await buildWithReport(options)).dir;
}

/** Builds web/dist and resolves with { dir, report } (see bundleReport). */
export async function buildWithReport({ dev = false, quiet = false } = {}) {
  await rm(distDir, { recursive: true, force: true });
  await mkdir(distDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: join(srcDir, 'main.jsx') },
    outdir: distDir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    format: 'esm',
    splitting: true,
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  const js = await readFile(join(distDir, 'app.js'));
  const css = await readFile(join(distDir, 'app.css'));
  const chunks = (await readdir(join(distDir, 'chunks')).catch(() => [])).map((f) => `chunks/${f}`);
  await copyFile(join(srcDir, 'favicon.svg'), join(distDir, 'favicon.svg'));
  await writeFile(join(distDir, 'favicon.ico'), faviconIco());
  await compressAll(['app.js', 'app.css', 'favicon.svg', ...chunks]);
  const report = bundleReport(result.metafile);
  // The chunks app.js imports statically are asked for at once beside it,
  // not after it has been read.
  const preload = report.first_load.files.filter((f) => f.file !== 'app.js')
    .map((f) => `<link rel="modulepreload" href="${f.file}">`).join('\n  ');
  const html = (await readFile(join(srcDir, 'index.html'), 'utf8'))
    .replace('__JS_HASH__', hash(js))
    .replace('__CSS_HASH__', hash(css))
    .replace('<!-- __MODULEPRELOAD__ -->', preload);
  await writeFile(join(distDir, 'index.html'), html);
  await compressAll(['index.html']);
  if (!quiet) {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      const gz = (await readFile(join(distDir, `${rel(file)}.gz`)).catch(() => null));
      console.log(`web/dist/${rel(file)}  ${kib(info.bytes)}${gz ? ` (${kib(gz.length)} gzip)` : ''}`);
    }
    console.log('web/dist/index.html');
    console.log(`first load: ${kib(report.first_load.bytes)} JS (${kib(report.first_load.gzip)} gzip)`);
  }
  return { dir: distDir, report };
}

/** A path of esbuild's metafile (relative to the working directory) relative to web/dist. */
const rel = (file) => file.slice(file.lastIndexOf('web/dist/') + 'web/dist/'.length);

// What the browser downloads, from esbuild's metafile: the JS of the first
// load (app.js and what it imports statically, which the browser fetches
// before anything runs) and each chunk loaded later with import(), with their
// sizes plain and gzip-compressed as served. tests/api/static.test.mjs holds
// the first load to a budget; docs/benchmarks.md lists the sizes.
function bundleReport(metafile) {
  const outputs = metafile.outputs;
  const size = (file) => ({
    bytes: outputs[file].bytes,
    gzip: statSync(join(distDir, `${rel(file)}.gz`)).size,
  });
  const entry = Object.keys(outputs).find((f) => rel(f) === 'app.js');
  const first = [];
  const lazy = new Set();
  const walk = (file) => {
    if (first.includes(file)) return;
    first.push(file);
    for (const imp of outputs[file].imports) {
      if (imp.kind === 'import-statement') walk(imp.path);
      else if (imp.kind === 'dynamic-import') lazy.add(imp.path);
    }
  };
  walk(entry);
  const list = (files) => files.map((f) => ({ file: rel(f), ...size(f),
    source: outputs[f].entryPoint ? outputs[f].entryPoint.slice(outputs[f].entryPoint.lastIndexOf('web/src/')) : null }));
  const firstLoad = list(first);
  return {
    first_load: {
      files: firstLoad,
      bytes: firstLoad.reduce((n, f) => n + f.bytes, 0),
      gzip: firstLoad.reduce((n, f) => n + f.gzip, 0),
    },
    lazy: list([...lazy].filter((f) => !first.includes(f))),
  };
}

// Writes NAME.gz beside each file, at the best level: it is done once per
// build and the server sends the bytes as they are.
async function compressAll(names) {
  for (const name of names) {
    const data = await readFile(join(distDir, name));
    await writeFile(join(distDir, `${name}.gz`), gzipSync(data, { level: constants.Z_BEST_COMPRESSION }));
  }
}

// The icon of favicon.svg (a white grid on the blue square) drawn in pixels,
// for browsers and tools that only ask for /favicon.ico: an ICO holding one
// 32x32 PNG, made with zlib so the build needs no image library.
function faviconIco() {
  const size = 32;
  const line = (v) => v >= 6 && v < 26 && (v - 6) % 6 < 2;
  const inGrid = (v) => v >= 6 && v < 26;
  const corner = (x, y) => {
    const cx = x < 6 ? 6 : x > 25 ? 25 : x;
    const cy = y < 6 ? 6 : y > 25 ? 25 : y;
    return (x + 0.5 - cx - (x < 6 ? 0 : 1)) ** 2 + (y + 0.5 - cy - (y < 6 ? 0 : 1)) ** 2 > 36;
  };
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let x = 0; x < size; x++) {
      const white = (line(x) && inGrid(y)) || (line(y) && inGrid(x));
      const rgba = corner(x, y) ? [0, 0, 0, 0] : white ? [255, 255, 255, 255] : [0x1d, 0x4f, 0x91, 255];
      Buffer.from(rgba).copy(row, 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
  const ico = Buffer.alloc(22);
  ico.writeUInt16LE(1, 2); // type: icon
  ico.writeUInt16LE(1, 4); // one image
  ico.set([size, size, 0, 0], 6);
  ico.writeUInt16LE(1, 10); // planes
  ico.writeUInt16LE(32, 12); // bits per pixel
  ico.writeUInt32LE(png.length, 14);
  ico.writeUInt32LE(22, 18); // the image starts after this header
  return Buffer.concat([ico, png]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  build({ dev: process.argv.includes('--dev') }).catch((e) => {
    console.error(e.message || e);
    process.exit(1);
  });
}
