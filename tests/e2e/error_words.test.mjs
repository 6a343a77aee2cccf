// Every error the server can answer has words in zh-CN and en, and the UI
// shows them instead of the API's English message. No browser needed.
//
// The codes are read from include/civgrid/error.h (CG_ERRNO_MAP) and the
// field-error reasons from include/civgrid/field.h (CG_FIELD_REASONS), the one
// list the C code can take a reason from (cg_field_why takes an enum
// cg_reason): a code or reason added there without words fails here.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers.mjs';

const { messages, LANGS } = await import(join(repoRoot, 'web/src/messages.js'));
const { errorText, fieldErrorText, importErrorText } = await import(join(repoRoot, 'web/src/errors.js'));

const header = (name) => readFile(join(repoRoot, 'include/civgrid', name), 'utf8');

/** The stable names of CG_ERRNO_MAP: X(NAME, -N, "name", status, "message"). */
async function errorCodes() {
  const text = await header('error.h');
  return [...text.matchAll(/X\(\s*\w+\s*,\s*-\d+\s*,\s*"([a-z_]+)"/g)].map((m) => m[1]);
}

/** The words of CG_FIELD_REASONS: X(NAME, "word"). */
async function reasons() {
  const text = await header('field.h');
  const list = text.slice(text.indexOf('#define CG_FIELD_REASONS'), text.indexOf('enum cg_reason'));
  return [...list.matchAll(/X\(\s*[A-Z_]+\s*,\s*"([a-z_]+)"\s*\)/g)].map((m) => m[1]);
}

/** A stand-in for the UI's i18n object (web/src/i18n.jsx), on the same dictionary. */
function i18nOf(lang) {
  const dict = messages[lang];
  const t = (key, params) => {
    let text = dict[key] ?? key;
    if (params) text = text.replace(/\{(\w+)\}/g, (m, n) => (params[n] === undefined ? m : String(params[n])));
    return text;
  };
  return { t, formatClock: () => '12:00', formatWait: () => '5 min' };
}

const HAN = /\p{Script=Han}/u;
const ENGLISH = 'ENGLISH-ONLY MESSAGE FROM THE SERVER';

test('the lists are read from the headers', async () => {
  const codes = await errorCodes();
  assert.ok(codes.length >= 33 && codes.includes('not_found') && codes.includes('export_quota_exceeded'), codes.join());
  const why = await reasons();
  assert.ok(why.length >= 40 && why.includes('unknown_ledger') && why.includes('bad_check_digit'), why.join());
});

test('every error code of error.h has words in zh-CN and en, never the server message', async () => {
  const missing = [];
  for (const code of await errorCodes()) {
    for (const lang of LANGS) {
      if (!messages[lang][`error.${code}`]) missing.push(`${lang} error.${code}`);
      const text = errorText(i18nOf(lang), { code, message: ENGLISH, status: 400 });
      assert.ok(!text.includes(ENGLISH), `${lang} ${code}: ${text}`);
      assert.notEqual(text, i18nOf(lang).t('error.unknown', { code }), `${lang} ${code} is worded as unknown`);
      if (lang === 'zh-CN') assert.match(text, HAN, `${code}: ${text}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every field-error reason of field.h has words in zh-CN and en, with its parameters filled', async () => {
  const missing = [];
  for (const reason of await reasons()) {
    for (const lang of LANGS) {
      if (!messages[lang][`reason.${reason}`]) { missing.push(`${lang} reason.${reason}`); continue; }
      const err = {
        code: 'invalid_field', field: 'name', message: ENGLISH,
        body: { error: 'invalid_field', field: 'name', reason, value: 'V1', min: 2, max: 64, message: ENGLISH },
      };
      for (const text of [fieldErrorText(i18nOf(lang), err), errorText(i18nOf(lang), err)]) {
        assert.ok(!text.includes(ENGLISH), `${lang} ${reason}: ${text}`);
        assert.doesNotMatch(text, /\{\w+\}/, `${lang} ${reason} leaves a placeholder: ${text}`);
        if (lang === 'zh-CN') assert.match(text, HAN, `${reason}: ${text}`);
      }
      const row = importErrorText(i18nOf(lang), { line: 2, column: '姓名', field: 'name', code: 'invalid_field', reason, value: 'V1', message: ENGLISH });
      assert.ok(!row.includes(ENGLISH), `${lang} import ${reason}: ${row}`);
      if (lang === 'zh-CN') assert.match(row, HAN, `import ${reason}: ${row}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('the import words the reader codes of a file (CSV faults) too', async () => {
  const text = await readFile(join(repoRoot, 'include/civgrid/csvin.h'), 'utf8');
  const line = text.split('\n').find((l) => /char code\[/.test(l));
  const codes = line.replace(/.*\/\*/, '').replace(/\*\/.*/, '').split(',').map((s) => s.trim()).filter(Boolean);
  assert.ok(codes.length >= 4, line);
  for (const code of codes) {
    for (const lang of LANGS) {
      const row = importErrorText(i18nOf(lang), { line: 3, column: '', code, message: ENGLISH });
      assert.ok(!row.includes(code) && !row.includes(ENGLISH), `${lang} ${code}: ${row}`);
    }
  }
});

// A reason given as a string literal would bypass the registry (and this
// test): every reason goes through enum cg_reason.
test('no C source sets a reason by a string of its own', async () => {
  const found = [];
  for (const dir of ['lib', 'lib/util', 'lib/store', 'src', 'src/http', 'src/http/routes']) {
    for (const e of await readdir(join(repoRoot, dir), { withFileTypes: true })) {
      if (!e.isFile() || !/\.c$/.test(e.name)) continue;
      const text = await readFile(join(repoRoot, dir, e.name), 'utf8');
      for (const m of text.matchAll(/(->|\.)reason\s*=\s*"[^"]*"|"reason"\s*,\s*"[a-z_]+"/g)) found.push(`${dir}/${e.name}: ${m[0]}`);
    }
  }
  assert.deepEqual(found, []);
});
