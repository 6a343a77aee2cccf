// 台账: the ledger catalogue with the number of people on each under an area
// (#/ledgers?area=CODE), and one ledger (#/ledgers/:name?area=CODE) counted
// per child area, drilling down the tree, with its list of people (the
// residents page filtered by the ledger) and CSV / Excel exports.
import { get, query } from '../api.js';
import { AreaPicker } from '../components/AreaPicker.jsx';
import { ExportLinks } from '../components/ExportLinks.jsx';
import { useHashQuery, useLoad, withQuery } from '../components/hooks.js';
import { Empty, ErrorAlert, Loading } from '../components/States.jsx';
import { useI18n } from '../i18n.jsx';
import { navigate } from '../router.js';

const enc = encodeURIComponent;

export function LedgersPage({ user }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const hq = useHashQuery();
  const area = hq.area || (user.scope && user.scope.code) || '';
  const res = useLoad(() => get(`/api/v1/ledgers${query({ area })}`), [area]);
  const items = (res.data && res.data.items) || [];

  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('ledgers.title')}</h1>
      </header>
      <p class="lead">{t('ledgers.intro')}</p>
      <div class="filter-row panel">
        <AreaPicker id="ledgers-area" label={t('ledgers.area')} compact value={hq.area || ''}
          placeholder={t('ledgers.area_placeholder', { scope: (user.scope && (user.scope.name || user.scope.code)) || '' })}
          onChange={(code) => navigate(withQuery('/ledgers', { area: code }))} />
      </div>
      <ErrorAlert error={res.error} onRetry={res.reload} />
      {res.loading && !res.data && <Loading text={t('ledgers.loading')} />}
      {res.data && items.length === 0 && <Empty>{t('ledgers.empty')}</Empty>}
      {items.length > 0 && (
        <div class={`table-wrap${res.loading ? ' is-stale' : ''}`}>
          <table class="data-table ledgers-table">
            <caption class="sr-only">{t('ledgers.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ledgers.col_name')}</th>
                <th scope="col">{t('ledgers.col_note')}</th>
                <th scope="col" class="num">{t('ledgers.col_count')}</th>
                <th scope="col"><span class="sr-only">{t('ledgers.col_actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((l) => (
                <tr key={l.name} data-ledger={l.name}>
                  <th scope="row" data-label={t('ledgers.col_name')}>
                    <a href={`#${withQuery(`/ledgers/${enc(l.name)}`, { area })}`} class="strong-link">
                      {lang === 'en' ? l.en : l.zh}
                    </a>
                  </th>
                  <td data-label={t('ledgers.col_note')} class="muted">{l.note || '—'}</td>
                  <td data-label={t('ledgers.col_count')} class="num" data-testid="ledger-count">{l.count}</td>
                  <td class="actions">
                    <a class="btn btn-small" href={`#${withQuery(`/ledgers/${enc(l.name)}`, { area })}`}>
                      {t('ledgers.by_area')}
                    </a>
                    <a class="btn btn-small" href={`#${withQuery('/residents', { ledger: l.name, area })}`}>
                      {t('ledgers.people')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The areas from the scope root down to `code`, for the drill-down trail. */
async function trail(code, scopeCode) {
  const out = [];
  let next = code;
  for (let i = 0; next && i < 16; i++) {
    let a;
    try {
      a = await get(`/api/v1/areas/${enc(next)}`);
    } catch (e) {
      if (i === 0) throw e;
      break;
    }
    out.unshift(a);
    if (a.code === scopeCode || !a.parent_code) break;
    next = a.parent_code;
  }
  return out;
}

export function LedgerPage({ user, params }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const hq = useHashQuery();
  const name = params.name;
  const scopeCode = (user.scope && user.scope.code) || '';
  const area = hq.area || scopeCode;
  const catalogue = useLoad(() => get(`/api/v1/ledgers${query({ area })}`), [area]);
  const counts = useLoad(() => get(`/api/v1/ledgers/${enc(name)}/counts${query({ area })}`), [name, area]);
  const crumbs = useLoad(() => trail(area, scopeCode), [area]);
  const ledger = catalogue.data && (catalogue.data.items || []).find((l) => l.name === name);
  const title = ledger ? (lang === 'en' ? ledger.en : ledger.zh) : name;
  const items = (counts.data && counts.data.items) || [];
  const here = crumbs.data && crumbs.data[crumbs.data.length - 1];
  const go = (code) => `#${withQuery(`/ledgers/${enc(name)}`, { area: code })}`;

  return (
    <section class="page" aria-labelledby="page-title" data-ledger={name}>
      <p><a href={`#${withQuery('/ledgers', { area })}`} class="back-link">‹ {t('ledgers.back')}</a></p>
      <header class="page-header">
        <h1 id="page-title">{title}</h1>
      </header>
      {ledger && ledger.note && <p class="lead">{ledger.note}</p>}

      {crumbs.data && (
        <nav class="breadcrumbs" aria-label={t('areas.breadcrumbs')}>
          <ol>
            {crumbs.data.map((a, i) => (
              <li key={a.code}>
                {i === crumbs.data.length - 1
                  ? <span aria-current="page">{a.name}</span>
                  : <a href={go(a.code)}>{a.name}</a>}
              </li>
            ))}
          </ol>
        </nav>
      )}

      <dl class="stat-row">
        <div class="stat">
          <dt>{t('ledgers.total_in', { area: here ? here.name : area })}</dt>
          <dd data-testid="ledger-total">{ledger ? ledger.count : '…'}</dd>
        </div>
      </dl>

      <div class="toolbar">
        <a class="btn btn-primary" href={`#${withQuery('/residents', { ledger: name, area })}`} data-testid="ledger-people">
          {t('ledgers.people_list')} ›
        </a>
        <ExportLinks params={{ ledger: name, area }} name={name} />
      </div>

      <h2>{t('ledgers.by_area_title')}</h2>
      <ErrorAlert error={counts.error || catalogue.error} onRetry={counts.reload} />
      {counts.loading && !counts.data && <Loading />}
      {counts.data && items.length === 0 && <Empty>{t('ledgers.no_children')}</Empty>}
      {items.length > 0 && (
        <div class={`table-wrap${counts.loading ? ' is-stale' : ''}`}>
          <table class="data-table counts-table">
            <caption class="sr-only">{t('ledgers.by_area_title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ledgers.col_area')}</th>
                <th scope="col">{t('ledgers.col_level')}</th>
                <th scope="col" class="num">{t('ledgers.col_count')}</th>
                <th scope="col"><span class="sr-only">{t('ledgers.col_actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.code} data-code={c.code}>
                  <th scope="row" data-label={t('ledgers.col_area')}>
                    {c.level === 'building'
                      ? <span>{c.name}</span>
                      : <a href={go(c.code)} class="strong-link">{c.name}</a>}
                  </th>
                  <td data-label={t('ledgers.col_level')}>{i18n.levelName(c.level)}</td>
                  <td data-label={t('ledgers.col_count')} class="num">
                    <span class="count-bar" style={{ '--share': `${share(c.count, items)}%` }}>{c.count}</span>
                  </td>
                  <td class="actions">
                    <a class="btn btn-small" href={`#${withQuery('/residents', { ledger: name, area: c.code })}`}
                      aria-label={t('ledgers.people_in', { area: c.name })}>
                      {t('ledgers.people')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function share(n, items) {
  const max = Math.max(1, ...items.map((x) => x.count));
  return Math.round((100 * n) / max);
}
