// Words for the API's errors, in the UI's language. Every error answers a
// stable code (`error`, worded by `error.<code>`); a field error also names
// its field and a stable `reason` with its parameters (`value`, `min`,
// `max`), worded by `reason.<reason>`. The API's English `message` is for
// scripts and logs and is never shown: tests/e2e/error_words.test.mjs checks
// that every code of include/civgrid/error.h and every reason of
// include/civgrid/field.h has words in both languages.

// Reasons whose value is an area level code ("county"), shown by its name.
const LEVEL_VALUES = new Set(['bad_parent']);
// Reasons whose words do not say which field they are about ("请填写此项"):
// shown apart from the field, they follow its name.
const NEED_FIELD = new Set([
  'missing', 'bad_text', 'too_long', 'too_short', 'length', 'out_of_range', 'not_string', 'not_integer',
  'not_allowed',
]);

/** The parameters of an error's words, from the answer's body. */
function paramsOf(i18n, err) {
  const b = err.body || err;
  const p = {
    value: b.value ?? '', min: b.min ?? '', max: b.max ?? '', line: b.line ?? '',
    field: fieldName(i18n, err.field || b.field || ''),
  };
  if (LEVEL_VALUES.has(b.reason) && p.value) {
    const name = i18n.t(`level.${p.value}`);
    if (name !== `level.${p.value}`) p.value = name;
  }
  return p;
}

/** A field's name in the UI's words, or '' when it has none. */
function fieldName(i18n, field) {
  if (!field) return '';
  const key = `field.${field}`;
  const name = i18n.t(key);
  return name === key ? '' : name;
}

/** The words of a reason, or '' when the UI has none for it. */
function reasonText(i18n, err) {
  const reason = (err.body && err.body.reason) || err.reason;
  if (!reason) return '';
  const params = paramsOf(i18n, err);
  // A field may word a reason its own way ("该用户名已被使用"): reason.<reason>.<field>.
  for (const key of [`reason.${reason}.${err.field || ''}`, `reason.${reason}`]) {
    const text = i18n.t(key, params);
    if (text !== key) return text;
  }
  return '';
}

/** Words for an error's code alone (no field, no reason). */
function codeText(i18n, err) {
  const { t } = i18n;
  const code = err.code;
  const wait = (key) => {
    const until = Math.floor(Date.now() / 1000) + err.retryAfter;
    // The day's export cap lifts hours away, often tomorrow: the date is given too.
    const time = code === 'export_quota_exceeded' ? i18n.formatTime(until) : i18n.formatClock(until);
    return t(key, { time, wait: i18n.formatWait(err.retryAfter) });
  };
  if (code === 'network_error') return t('error.network');
  if (code === 'http_error') return t('error.http_error', { status: err.status || '' });
  if (err.retryAfter != null &&
      (code === 'account_locked' || code === 'rate_limited' || code === 'export_quota_exceeded')) {
    return wait(`error.${code}_until`);
  }
  const key = `error.${code}`;
  const text = t(key);
  // A code this UI does not know yet (a newer server): say so in words.
  return text === key ? t('error.unknown', { code: code || '' }) : text;
}

/**
 * Text of an error shown apart from its field (above a form, in a dialog, on
 * a page): the reason's words, after the field's name when they need it.
 */
export function errorText(i18n, err) {
  if (!err) return '';
  const why = reasonText(i18n, err);
  if (!why) return codeText(i18n, err);
  const reason = (err.body && err.body.reason) || err.reason;
  const field = err.field && NEED_FIELD.has(reason) ? fieldName(i18n, err.field) : '';
  return field ? i18n.t('error.in_field', { field, text: why }) : why;
}

/** Text of an error shown under its own field: the reason's words alone. */
export function fieldErrorText(i18n, err) {
  if (!err) return '';
  return reasonText(i18n, err) || codeText(i18n, err);
}

/**
 * Words for one error of an import report: its reason ("unknown_ledger",
 * "bad_phone" ...) with its parameters (value, column, field, line), in the
 * UI's language — the import's own words (`import.r_<reason>`, which name the
 * column or the page's list of accepted values) or else the reason's; without a reason, the meaning of its code
 * and the column. The server's English message is never shown.
 */
export function importErrorText(i18n, e) {
  const { t } = i18n;
  const params = { value: e.value || '', column: e.column || e.field || '', field: e.field || '', line: e.line };
  if (e.reason) {
    const key = `import.r_${e.reason}`;
    const text = t(key, params);
    if (text !== key) return text;
    // The report's own column says where; the reason's words say what.
    const words = reasonText(i18n, { reason: e.reason, body: { ...params, reason: e.reason } });
    if (words) return words;
  }
  const codeKey = `import.code_${e.code}`;
  const code = t(codeKey);
  const words = code === codeKey ? codeText(i18n, { code: e.code }) : code;
  return params.column ? t('import.r_default', { ...params, code: words }) : words;
}
