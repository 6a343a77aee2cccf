// Maps an ApiError to localized text. Codes with their own message are
// translated; anything else shows the server's message in the generic frame,
// so an unexpected error still tells the user what happened.

export const KNOWN_ERRORS = new Set([
  'invalid_credentials', 'account_disabled', 'missing_field', 'invalid_field',
  'malformed_json', 'already_exists', 'not_found', 'forbidden',
  'unauthenticated', 'csrf_failed', 'weak_password', 'unsupported_media_type',
  'rate_limited', 'too_large', 'export_too_large', 'export_quota_exceeded',
  'case_action_not_allowed', 'case_not_holder', 'case_version_conflict', 'case_reopen_expired',
  'unsupported_image', 'case_rule',
]);

export function errorText(i18n, err) {
  const { t } = i18n;
  if (!err) return '';
  if (err.code === 'network_error') return t('error.network');
  if (err.code === 'account_locked') {
    if (err.retryAfter != null) {
      const until = Math.floor(Date.now() / 1000) + err.retryAfter;
      return t('error.account_locked_until', {
        time: i18n.formatClock(until),
        wait: i18n.formatWait(err.retryAfter),
      });
    }
    return t('error.account_locked');
  }
  if (err.code === 'rate_limited' && err.retryAfter != null) {
    const until = Math.floor(Date.now() / 1000) + err.retryAfter;
    return t('error.rate_limited_until', { time: i18n.formatClock(until), wait: i18n.formatWait(err.retryAfter) });
  }
  if (err.code === 'export_quota_exceeded' && err.retryAfter != null) {
    const until = Math.floor(Date.now() / 1000) + err.retryAfter;
    return t('error.export_quota_exceeded_until', { time: i18n.formatClock(until), wait: i18n.formatWait(err.retryAfter) });
  }
  if (err.code === 'already_exists' && err.field === 'username') return t('error.username_exists');
  if (KNOWN_ERRORS.has(err.code)) return t(`error.${err.code}`);
  return t('error.generic', { message: err.message || err.code });
}

/**
 * Text for a field error: the localized meaning, followed by the server's own
 * message when it says more (e.g. which characters are allowed).
 */
export function fieldErrorText(i18n, err) {
  const base = errorText(i18n, err);
  if (err && (err.code === 'invalid_field' || err.code === 'missing_field') && err.message) {
    return i18n.t('error.with_detail', { text: base, detail: err.message });
  }
  return base;
}

/**
 * Words for one error of an import report: its reason ("unknown_ledger",
 * "bad_phone" ...) with its parameters (value, column, field, line), in the
 * UI's language; without a reason, the meaning of its stable code and the
 * column. The server's English message is never shown.
 */
export function importErrorText(i18n, e) {
  const { t } = i18n;
  const params = { value: e.value || '', column: e.column || e.field || '', field: e.field || '', line: e.line };
  if (e.reason) {
    const key = `import.r_${e.reason}`;
    const text = t(key, params);
    if (text !== key) return text;
  }
  const codeKey = `import.code_${e.code}`;
  const code = t(codeKey);
  const words = code === codeKey ? t('error.generic', { message: e.code || '' }) : code;
  return params.column ? t('import.r_default', { ...params, code: words }) : words;
}
