// 导入: upload a CSV file of areas, residents or venues. The file goes as the
// raw request body (Content-Type text/csv) to POST /api/v1/import/{kind};
// the answer counts rows written, unchanged and invalid and lists every bad
// row. With errors and without "skip invalid rows" nothing is written (422
// invalid_rows), which the page says in so many words.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { FileInput } from '../components/inputs.jsx';
import { errorText, importErrorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';

/** The kinds in the order the page offers them; the server may add others after. */
const KIND_ORDER = ['residents', 'areas', 'venues'];

/**
 * The kinds the server imports, with their columns as each concept registers
 * them (GET /api/v1/import/kinds): the page copies no column table.
 */
function useImportKinds() {
  const [state, setState] = useState({ kinds: null, error: null });
  useEffect(() => {
    let live = true;
    get('/api/v1/import/kinds')
      .then((r) => {
        const rank = (k) => (KIND_ORDER.includes(k.kind) ? KIND_ORDER.indexOf(k.kind) : KIND_ORDER.length);
        const kinds = [...(r.items || [])].sort((x, y) => rank(x) - rank(y));
        if (live) setState({ kinds, error: null });
      })
      .catch((error) => live && setState({ kinds: null, error }));
    return () => { live = false; };
  }, []);
  return state;
}

/**
 * The ledgers' names (GET /api/v1/ledgers) for the list of what the tags
 * column accepts; none when the user may not read them.
 */
function useLedgerNames() {
  const [ledgers, setLedgers] = useState([]);
  useEffect(() => {
    let live = true;
    get('/api/v1/ledgers').then((r) => live && setLedgers(r.items || [])).catch(() => {});
    return () => { live = false; };
  }, []);
  return ledgers;
}

/**
 * What a column accepts, in the UI's language: the words the import reads
 * for the coded columns (resident types, ledgers, levels, venue types), from
 * the server's enumerations. In Chinese the Chinese words; in English the
 * English codes and names the import reads as well. null: free text.
 */
function acceptedValues(kind, column, { t, lang, meta, ledgers }) {
  const zh = lang !== 'en';
  const list = (key) => (meta && meta[key]) || [];
  if (kind === 'residents' && column === 'resident_type') {
    // 户籍 is the word exports write for permanent residents; the import reads it too.
    return list('resident_types').map((x) => (zh ? t(x.code === 'permanent' ? 'import.v_permanent' : `rtype.${x.code}`) : x.code));
  }
  if (kind === 'residents' && column === 'tags') return ledgers.map((l) => (zh ? l.zh : l.en) || l.name);
  if (kind === 'areas' && column === 'level') return list('area_levels').map((x) => (zh ? t(`level.${x.code}`) : x.code));
  if (kind === 'venues' && column === 'type') {
    return list('place_types').filter((x) => x.kind === 'venue').map((x) => (zh ? x.zh : x.code));
  }
  return null;
}

/** A server label ({"zh-CN": ..., "en": ...}) in the page's language. */
const labelIn = (label, lang) => (label && (label[lang] || label.en)) || '';

const MAX_ERRORS_SHOWN = 500;

/** Error codes of an import report that have their own explanation. */
const ERROR_CODES = [
  'invalid_field', 'missing_field', 'duplicate_id', 'duplicate_code', 'unknown_column', 'duplicate_column',
  'already_exists', 'conflict', 'malformed_csv', 'bad_encoding', 'truncated', 'too_long', 'io_error',
];

/**
 * Sends the file as it is. The CSRF token is asked from /me (api.js keeps its
 * copy private); it is derived from the session, so it is the same token.
 */
async function upload(kind, file, { skipInvalid, dryRun }) {
  const me = await get('/api/v1/me');
  const qs = query({ skip_invalid: skipInvalid ? 1 : '', dry_run: dryRun ? 1 : '' });
  let res;
  try {
    res = await fetch(`/api/v1/import/${kind}${qs}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'text/csv',
        'X-CSRF-Token': me.csrf_token || '',
      },
      body: file,
    });
  } catch (e) {
    return { status: 0, data: { error: 'network_error', message: e.message } };
  }
  let data = null;
  try {
    data = await res.json();
  } catch (_) {
    data = null;
  }
  return { status: res.status, data };
}

/** A template with the Chinese headers, as Excel opens it (UTF-8 with BOM). */
function templateHref(info) {
  const head = shownColumns(info).map((c) => c.label['zh-CN']).join(',');
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${head}\r\n`)}`;
}

/** The columns a person fills in: not those an export adds and the import ignores. */
const shownColumns = (info) => info.columns.filter((c) => !c.ignored);

export function ImportPage() {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const { kinds, error: kindsError } = useImportKinds();
  const [kind, setKind] = useState('residents');
  const [file, setFile] = useState(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [fileError, setFileError] = useState('');
  const [result, setResult] = useState(null); // { status, data, kind, dryRun, skipInvalid, file }
  const fileRef = useRef(null);
  const resultRef = useRef(null);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setFileError('');
    if (!file) {
      setFileError(t('import.no_file'));
      if (fileRef.current) fileRef.current.focus();
      return;
    }
    setBusy(true);
    setResult(null);
    try {
      const r = await upload(kind, file, { skipInvalid, dryRun });
      setResult({ ...r, kind, dryRun, skipInvalid, file: file.name });
    } catch (err) {
      // /me failed: the session is gone (api.js shows the login) or the server is down.
      setResult({ status: err.status || 0, data: { error: err.code, message: err.message }, kind, file: file.name });
    } finally {
      setBusy(false);
      setTimeout(() => resultRef.current && resultRef.current.focus(), 0);
    }
  }

  return (
    <section class="page import-page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('import.title')}</h1>
      </header>
      <p class="lead">{t('import.intro')}</p>

      <form class="panel form-panel" onSubmit={submit} aria-labelledby="import-form-title">
        <h2 id="import-form-title" class="panel-title">{t('import.form_title')}</h2>
        <fieldset class="field">
          <legend class="field-label">{t('import.kind')}</legend>
          {kindsError && <p class="alert alert-error" role="alert">{errorText(i18n, kindsError)}</p>}
          {!kinds && !kindsError && (
            <p class="state state-loading" role="status"><span class="spinner" aria-hidden="true" /> {t('common.loading')}</p>
          )}
          {kinds && (
            <div class="segmented" role="radiogroup" aria-label={t('import.kind')}>
              {kinds.map((k) => (
                <label key={k.kind} class={`segment${kind === k.kind ? ' on' : ''}${k.allowed ? '' : ' off'}`}>
                  <input type="radio" name="import-kind" value={k.kind} checked={kind === k.kind}
                    disabled={!k.allowed}
                    onChange={() => { setKind(k.kind); setResult(null); }} />
                  {labelIn(k.label, lang)}
                </label>
              ))}
            </div>
          )}
          {kinds && kinds.some((k) => !k.allowed) && <p class="field-hint">{t('import.kinds_admin_only')}</p>}
        </fieldset>

        <div class={`field${fileError ? ' field-invalid' : ''}`}>
          <label class="field-label" for="import-file">
            {t('import.file')}<span class="field-required" aria-hidden="true"> *</span>
          </label>
          <FileInput inputRef={fileRef} id="import-file" accept=".csv,text/csv"
            aria-describedby={`import-file-hint${fileError ? ' import-file-error' : ''}`}
            aria-invalid={fileError ? 'true' : undefined}
            onChange={(e) => {
              setFile(e.currentTarget.files && e.currentTarget.files[0] ? e.currentTarget.files[0] : null);
              setFileError('');
              setResult(null);
            }} />
          <p id="import-file-hint" class="field-hint">{t('import.file_hint')}</p>
          {fileError && <p id="import-file-error" class="field-error">{fileError}</p>}
        </div>

        <div class="field checks">
          <label class="check">
            <input type="checkbox" id="import-skip" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.currentTarget.checked)} />
            <span>{t('import.skip_invalid')}<span class="field-hint d-block">{t('import.skip_invalid_hint')}</span></span>
          </label>
          <label class="check">
            <input type="checkbox" id="import-dry" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
            <span>{t('import.dry_run')}<span class="field-hint d-block">{t('import.dry_run_hint')}</span></span>
          </label>
        </div>

        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('import.uploading') : dryRun ? t('import.check') : t('import.upload')}
          </button>
        </div>
      </form>

      <div ref={resultRef} tabindex="-1" class="import-result-anchor" aria-live="polite">
        {busy && (
          <p class="state state-loading" role="status"><span class="spinner" aria-hidden="true" /> {t('import.uploading')}</p>
        )}
        {result && <ImportResult result={result} i18n={i18n} />}
      </div>

      {kinds && kinds.find((k) => k.kind === kind) && <ColumnsTable info={kinds.find((k) => k.kind === kind)} />}
    </section>
  );
}

function ColumnsTable({ info }) {
  const { t, lang } = useI18n();
  const { meta } = useMeta();
  const ledgers = useLedgerNames();
  const kind = info.kind;
  return (
    <section class="block columns-panel" aria-labelledby="columns-title">
      <h2 id="columns-title">{t('import.columns_title', { kind: labelIn(info.label, lang) })}</h2>
      <p class="field-hint">{t('import.columns_hint')}</p>
      <div class="table-wrap">
        <table class="data-table columns-table" data-kind={kind}>
          <thead>
            <tr>
              <th scope="col">{t('import.col_en')}</th>
              <th scope="col">{t('import.col_zh')}</th>
              <th scope="col">{t('import.col_required')}</th>
              <th scope="col">{t('import.col_what')}</th>
              <th scope="col">{t('import.col_accepts')}</th>
            </tr>
          </thead>
          <tbody>
            {shownColumns(info).map((c) => {
              const key = `import.d_${kind}_${c.name}`;
              const what = t(key);
              const accepts = acceptedValues(kind, c.name, { t, lang, meta, ledgers });
              return (
                <tr key={c.name}>
                  <th scope="row" data-label={t('import.col_en')} class="mono">{c.name}</th>
                  <td data-label={t('import.col_zh')} class="nowrap">{c.label['zh-CN']}</td>
                  <td data-label={t('import.col_required')} class="nowrap">{c.required ? t('import.required') : t('import.optional')}</td>
                  <td data-label={t('import.col_what')} class="muted">{what === key ? labelIn(c.label, lang) : what}</td>
                  <td data-label={t('import.col_accepts')} data-testid={`accepts-${c.name}`}>
                    {accepts && accepts.length > 0 ? (
                      <>
                        <span class="wrap">{accepts.join(lang === 'en' ? ', ' : '、')}</span>
                        {c.name === 'tags' && <span class="field-hint d-block">{t('import.accepts_more')}</span>}
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="block-links">
        <a href={templateHref(info)} download={`${kind}-template.csv`} data-testid="import-template">
          ⤓ {t('import.template')}
        </a>
      </p>
    </section>
  );
}

function ImportResult({ result, i18n }) {
  const { t } = i18n;
  const { status, data } = result;
  const report = data && typeof data.rows === 'number' ? data : null;
  const errors = (data && Array.isArray(data.errors) && data.errors) || [];
  const total = Math.max(errors.length, (report && report.errors_total) || 0);
  const shown = Math.min(errors.length, MAX_ERRORS_SHOWN);

  let banner;
  if (status === 404 && (!data || data.error === 'not_found') && !report) {
    banner = <p class="alert alert-error" role="alert" data-testid="import-banner">{t('import.unavailable')}</p>;
  } else if (status === 422 || (data && data.error === 'invalid_rows')) {
    banner = (
      <p class="alert alert-error" role="alert" data-testid="import-banner">
        <strong>{t('import.nothing_written')}</strong>{' '}
        {report && report.invalid > 0 && !report.file_errors ? t('import.invalid_rows', { n: report.invalid }) : t('import.file_problem')}
      </p>
    );
  } else if (status >= 200 && status < 300 && report) {
    banner = result.dryRun ? (
      <p class="alert alert-info" role="status" data-testid="import-banner">
        <strong>{t('import.dry_done')}</strong>{' '}
        {report.invalid ? t('import.dry_invalid', { n: report.invalid }) : t('import.dry_ok')}
      </p>
    ) : (
      <p class="alert alert-success" role="status" data-testid="import-banner">
        {t('import.written_done', { written: report.written, unchanged: report.unchanged })}
        {report.invalid > 0 && <> {t('import.skipped', { n: report.invalid })}</>}
      </p>
    );
  } else {
    const err = { code: (data && data.error) || (status ? 'http_error' : 'network_error'), status, field: data && data.field, body: data };
    banner = (
      <p class="alert alert-error" role="alert" data-testid="import-banner" data-error-code={err.code}>
        {status === 413 ? t('import.too_large') : errorText(i18n, err)}
        {report ? <> {t('import.nothing_written')}</> : null}
      </p>
    );
  }

  return (
    <section class="block import-result" aria-labelledby="import-result-title" data-testid="import-result">
      <h2 id="import-result-title">{t('import.result_title', { file: result.file })}</h2>
      {banner}
      {report && (
        <dl class="stat-row">
          <div class="stat"><dt>{t('import.rows')}</dt><dd data-testid="import-rows">{report.rows}</dd></div>
          <div class="stat"><dt>{result.dryRun ? t('import.would_write') : t('import.written')}</dt><dd data-testid="import-written">{report.written}</dd></div>
          <div class="stat"><dt>{t('import.unchanged')}</dt><dd>{report.unchanged}</dd></div>
          <div class={`stat${report.invalid ? ' stat-bad' : ''}`}><dt>{t('import.invalid')}</dt><dd data-testid="import-invalid">{report.invalid}</dd></div>
        </dl>
      )}
      {report && report.file_errors > 0 && (
        <p class="field-hint" data-testid="import-file-errors">{t('import.file_errors', { n: report.file_errors, rows: report.rows })}</p>
      )}
      {errors.length > 0 && (
        <>
          <h3 class="sub-title">{t('import.errors_title', { n: total })}</h3>
          <div class="table-wrap">
            <table class="data-table import-errors" data-testid="import-errors">
              <caption class="sr-only">{t('import.errors_title', { n: total })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('import.e_line')}</th>
                  <th scope="col">{t('import.e_column')}</th>
                  <th scope="col">{t('import.e_code')}</th>
                  <th scope="col">{t('import.e_message')}</th>
                </tr>
              </thead>
              <tbody>
                {errors.slice(0, MAX_ERRORS_SHOWN).map((e, i) => (
                  <tr key={i} data-line={e.line}>
                    <th scope="row" data-label={t('import.e_line')}>{e.line ? e.line : t('import.whole_file')}</th>
                    <td data-label={t('import.e_column')}>{e.column || '—'}</td>
                    <td data-label={t('import.e_code')}>
                      <span>
                        {ERROR_CODES.includes(e.code) ? t(`import.code_${e.code}`) : (e.code || '—')}
                        {ERROR_CODES.includes(e.code) && <span class="mono muted small d-block">{e.code}</span>}
                      </span>
                    </td>
                    <td data-label={t('import.e_message')} class="wrap" data-reason={e.reason || undefined}>{importErrorText(i18n, e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > shown && (
            <p class="muted small">{t('import.errors_more', { n: total - shown })}</p>
          )}
        </>
      )}
      {report && Array.isArray(report.updates) && report.updates.length > 0 && (
        <ImportUpdates report={report} dryRun={result.dryRun} t={t} />
      )}
    </section>
  );
}

/**
 * The rows that change residents already registered (an import updates by
 * ID number): in a dry run, whom the file would change, each a link.
 */
function ImportUpdates({ report, dryRun, t }) {
  const n = report.updates_total || report.updates.length;
  const title = t(dryRun ? 'import.updates_would' : 'import.updates_done', { n });
  return (
    <>
      <h3 class="sub-title">{title}</h3>
      <div class="table-wrap">
        <table class="data-table import-updates" data-testid="import-updates">
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('import.e_line')}</th>
              <th scope="col">{t('import.u_person')}</th>
            </tr>
          </thead>
          <tbody>
            {report.updates.slice(0, MAX_ERRORS_SHOWN).map((u) => (
              <tr key={u.line} data-line={u.line} data-resident-id={u.id}>
                <th scope="row" data-label={t('import.e_line')}>{u.line}</th>
                <td data-label={t('import.u_person')}><a href={`#/residents/${u.id}`}>{u.name}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {n > Math.min(report.updates.length, MAX_ERRORS_SHOWN) && (
        <p class="muted small">{t('import.updates_more', { n: n - Math.min(report.updates.length, MAX_ERRORS_SHOWN) })}</p>
      )}
    </>
  );
}
