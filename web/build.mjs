// Builds web/src into web/dist: index.html, app.js, app.css (minified).
// The file names stay fixed so the server needs no manifest; index.html asks
// for them with ?v=<content hash>, so a new build is never hidden by a cache.
//
//   node web/build.mjs            build once
//   node web/build.mjs --dev      unminified, with inline source maps
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  if (!quiet) {
    for (const [file, info] of Object.entries(result.metafile.outputs)) {
      console.log(`${file.slice(file.indexOf('web/'))}  ${(info.bytes / 1024).toFixed(1)} KiB`);
    }
    console.log('web/dist/index.html');
  }
  return distDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  build({ dev: process.argv.includes('--dev') }).catch((e) => {
    console.error(e.message || e);
    process.exit(1);
  });
}
