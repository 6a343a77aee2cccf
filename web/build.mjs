// Builds web/src into web/dist: index.html, app.js, app.css (minified),
// favicon.svg and favicon.ico, and beside each text file a .gz twin that the server
// sends to clients accepting gzip (src/http/static.c).
// The file names stay fixed so the server needs no manifest; index.html asks
// for them with ?v=<content hash>, so a new build is never hidden by a cache
// and the server may let browsers keep them for a year.
//
//   node web/build.mjs            build once
//   node web/build.mjs --dev      unminified, with inline source maps
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, crc32, deflateSync, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const srcDir = join(here, 'src');
export const distDir = join(here, 'dist');

const hash = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 12);

export async function build({ dev = false, quiet = false } = {}) {
  await rm(distDir, { recursive: true, force: true });
  await mkdir(distDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: join(srcDir, 'main.jsx') },
    outdir: distDir,
    bundle: true,
    format: 'esm',
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
  const html = (await readFile(join(srcDir, 'index.html'), 'utf8'))
    .replace('__JS_HASH__', hash(js))
    .replace('__CSS_HASH__', hash(css));
  await writeFile(join(distDir, 'index.html'), html);
  await copyFile(join(srcDir, 'favicon.svg'), join(distDir, 'favicon.svg'));
  await writeFile(join(distDir, 'favicon.ico'), faviconIco());
  await compressAll(['index.html', 'app.js', 'app.css', 'favicon.svg']);
  if (!quiet) {
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      console.log(`${file.slice(file.indexOf('web/'))}  ${(info.bytes / 1024).toFixed(1)} KiB`);
    }
    console.log('web/dist/index.html');
  }
  return distDir;
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
