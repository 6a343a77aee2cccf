import { useState } from 'preact/hooks';
import { ApiError, query } from '../api.js';
import { errorText, fieldErrorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
import { can } from './access.js';
import { ConfirmDialog } from './ConfirmDialog.jsx';
import { Field } from './Field.jsx';

/** Bounds of an export's purpose, as the server checks them (resident.h). */
export const PURPOSE_MIN = 4;
export const PURPOSE_MAX = 200;

/** Whether the user's files carry full ID numbers or phones. */
export const exportsUnmasked = (user) => can(user, 'unmask.id') || can(user, 'unmask.phone');

/** The file name the server gave (Content-Disposition), else the fallback. */
function fileName(res, fallback) {
  const cd = res.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch (_) { /* fall through to the plain name */ }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

const count = (n) => n.toLocaleString('en-US');

/**
 * A refused export in words, in the UI's current language. The caps (GET
 * /api/v1/meta, export_limits) are named when the server gave them, so that
 * the user knows how far to narrow the list; other refusals are worded as
 * everywhere else. `at`: when the refusal came (epoch seconds).
 */
function refusalText(i18n, { err, at }, limits) {
  const { t } = i18n;
  if (!limits) return errorText(i18n, err);
  if (err.code === 'export_too_large') return t('export.too_large', { max: count(limits.per_request) });
  if (err.code !== 'export_quota_exceeded') return errorText(i18n, err);
  const day = count(limits.per_day);
  if (err.retryAfter == null) return t('export.quota', { day });
  // The wait is hours long, often into the next day: the date is given too.
  return t('export.quota_until', {
    day, time: i18n.formatTime(at + err.retryAfter), wait: i18n.formatWait(err.retryAfter),
  });
}

/** Fetches the export and hands it to the browser as a download. */
async function download(href, fallback) {
  let res;
  try {
    res = await fetch(href, { credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, { error: 'network_error', message: e.message });
  }
  if (!res.ok) {
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    const errBody = body && typeof body.error === 'string' ? body : { error: 'http_error', message: `HTTP ${res.status}` };
    throw new ApiError(res.status, errBody, res.headers.get('Retry-After'));
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName(res, fallback);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * "Export CSV" and "Export Excel": links to GET /api/v1/residents with the
 * same filters and &format=. The server exports the whole list the user may
 * see, not one page of it. A user whose files carry full ID numbers or phones
 * is first asked why (the purpose goes into the audit record); the file is
 * then fetched here, so that a refusal (no purpose, more rows than one file
 * may hold, the day's rows used up) is shown in words instead of as a JSON
 * page. Masked files stay plain links that the browser downloads itself.
 */
export function ExportLinks({ params, name = 'residents', user }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { meta } = useMeta();
  const limits = meta && meta.export_limits;
  const [format, setFormat] = useState(null); // the format being asked for
  const [purpose, setPurpose] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [failure, setFailure] = useState(null); // { err, at } of a refused export
  const [busy, setBusy] = useState(false);
  const base = { ...params };
  delete base.limit;
  delete base.offset;
  const href = (fmt, extra = {}) => `/api/v1/residents${query({ ...base, format: fmt, ...extra })}`;
  const unmasked = exportsUnmasked(user);

  function ask(e, fmt) {
    if (!unmasked) return; // the browser downloads the masked file itself
    e.preventDefault();
    setFormat(fmt);
    setFieldError('');
    setFailure(null);
  }

  async function confirm() {
    const why = purpose.trim();
    if (why.length < PURPOSE_MIN || why.length > PURPOSE_MAX) {
      setFieldError(t('export.purpose_length', { min: PURPOSE_MIN, max: PURPOSE_MAX }));
      return;
    }
    setFieldError('');
    setFailure(null);
    setBusy(true);
    try {
      await download(href(format, { purpose: why }), `${name}.${format}`);
      setFormat(null);
    } catch (err) {
      if (err.field === 'purpose') setFieldError(fieldErrorText(i18n, err));
      else setFailure({ err, at: Math.floor(Date.now() / 1000) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="export-links" role="group" aria-label={t('export.label')}>
      <a class="btn btn-small" href={href('csv')} download={`${name}.csv`} data-testid="export-csv"
        onClick={(e) => ask(e, 'csv')}>
        ⤓ {t('export.csv')}
      </a>
      <a class="btn btn-small" href={href('xlsx')} download={`${name}.xlsx`} data-testid="export-xlsx"
        onClick={(e) => ask(e, 'xlsx')}>
        ⤓ {t('export.xlsx')}
      </a>
      {format && (
        <ConfirmDialog
          title={t('export.purpose_title')}
          text={t('export.purpose_text')}
          confirmLabel={busy ? t('export.downloading') : t('export.download')}
          busy={busy}
          error={failure && refusalText(i18n, failure, limits)}
          onConfirm={confirm}
          onCancel={() => setFormat(null)}
        >
          {limits && (
            <p class="field-hint export-limits" data-testid="export-limits">
              {t('export.limits', { max: count(limits.per_request), day: count(limits.per_day) })}
            </p>
          )}
          <Field id="export-purpose" label={t('export.purpose_label')} required error={fieldError}
            hint={t('export.purpose_hint', { min: PURPOSE_MIN, max: PURPOSE_MAX })}>
            {(attrs) => (
              <textarea {...attrs} data-testid="export-purpose" rows={2} maxLength={PURPOSE_MAX}
                value={purpose} placeholder={t('export.purpose_placeholder')}
                onInput={(e) => setPurpose(e.currentTarget.value)} />
            )}
          </Field>
        </ConfirmDialog>
      )}
    </div>
  );
}
