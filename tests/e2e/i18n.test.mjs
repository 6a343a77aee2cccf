// The UI's dictionary: both languages carry the same keys with the same
// placeholders, and every key the sources name exists. No browser needed.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers.mjs';

const { messages, LANGS, DEFAULT_LANG } = await import(join(repoRoot, 'web/src/messages.js'));

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

async function sources(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await sources(p));
    else if (/\.(js|jsx)$/.test(e.name) && e.name !== 'messages.js') out.push(p);
  }
  return out;
}

test('zh-CN is the default and both languages exist', () => {
  assert.equal(DEFAULT_LANG, 'zh-CN');
  assert.deepEqual(LANGS, ['zh-CN', 'en']);
});

test('both languages have the same keys, none empty, with the same placeholders', () => {
  const zh = messages['zh-CN'];
  const en = messages.en;
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const key of Object.keys(zh)) {
    assert.ok(zh[key].trim(), `zh-CN ${key} is empty`);
    assert.ok(en[key].trim(), `en ${key} is empty`);
    assert.deepEqual(placeholders(en[key]), placeholders(zh[key]), `placeholders of ${key}`);
  }
});

test('every dictionary key named in web/src exists', async () => {
  const namespaces = new Set(Object.keys(messages['zh-CN']).map((k) => k.split('.')[0]));
  const missing = [];
  let seen = 0;
  for (const file of await sources(join(repoRoot, 'web/src'))) {
    const text = await readFile(file, 'utf8');
    for (const [, perm, ns, name] of text.matchAll(/(perm: |can\(user, |action: )?['"`]([a-z]+)\.([a-z_]+)['"`]/g)) {
      // A permission code ('users.write') or an audit action ('resident.export')
      // is the server's, not a message key.
      if (perm) continue;
      if (!namespaces.has(ns)) continue; // e.g. a file name like './app.css'
      seen++;
      const key = `${ns}.${name}`;
      if (!(key in messages['zh-CN'])) missing.push(`${file.slice(repoRoot.length + 1)}: ${key}`);
    }
  }
  assert.ok(seen > 50, `only ${seen} keys found in the sources: is the pattern still right?`);
  assert.deepEqual(missing, []);
});
