// 台账: the ledger catalogue with the number of people on each under an area
// (#/ledgers?area=CODE), and one ledger (#/ledgers/:name?area=CODE) counted
// per child area, drilling down the tree, with its list of people (the
// residents page filtered by the ledger) and CSV / Excel exports.
import { get, query } from '../api.js';
import { AreaPicker } from '../components/AreaPicker.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { ExportLinks } from '../components/ExportLinks.jsx';
import { useHashQuery, useLoad, withQuery } from '../components/hooks.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
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
      <DataTable
        class="ledgers-table"
        caption={t('ledgers.title')}
        rows={items}
        rowKey={(l) => l.name}
        rowProps={(l) => ({ 'data-ledger': l.name })}
        loading={res.loading}
        error={res.error}
        onRetry={res.reload}
        loadingText={t('ledgers.loading')}
        empty={res.data ? t('ledgers.empty') : null}
        truncated={res.data && res.data.truncated}
        columns={[
          {
            key: 'name', label: t('ledgers.col_name'), head: true,
            render: (l) => (
              <a href={`#${withQuery(`/ledgers/${enc(l.name)}`, { area })}`} class="strong-link">
                {lang === 'en' ? l.en : l.zh}
              </a>
            ),
          },
          { key: 'note', label: t('ledgers.col_note'), class: 'muted', render: (l) => l.note || '—' },
          {
            key: 'count', label: t('ledgers.col_count'), class: 'num',
            render: (l) => <span data-testid="ledger-count">{l.count}</span>,
          },
          {
            key: 'actions', label: t('ledgers.col_actions'), hideLabel: true,
            render: (l) => (
              <>
                <a class="btn btn-small" href={`#${withQuery(`/ledgers/${enc(l.name)}`, { area })}`}>
                  {t('ledgers.by_area')}
                </a>
                <a class="btn btn-small" href={`#${withQuery('/residents', { ledger: l.name, area })}`}>
                  {t('ledgers.people')}
                </a>
              </>
            ),
          },
        ]}
      />
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
  // The lowest level has no children to count by.
  const levels = useMeta().codes('area_levels');
  const lowest = levels[levels.length - 1];
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
        <ExportLinks params={{ ledger: name, area }} name={name} user={user} />
      </div>

      <h2>{t('ledgers.by_area_title')}</h2>
      <DataTable
        class="counts-table"
        caption={t('ledgers.by_area_title')}
        rows={items}
        rowKey={(c) => c.code}
        rowProps={(c) => ({ 'data-code': c.code })}
        loading={counts.loading}
        error={counts.error || catalogue.error}
        onRetry={counts.reload}
        empty={counts.data ? t('ledgers.no_children') : null}
        truncated={counts.data && counts.data.truncated}
        columns={[
          {
            key: 'area', label: t('ledgers.col_area'), head: true,
            render: (c) => (c.level === lowest
              ? <span>{c.name}</span>
              : <a href={go(c.code)} class="strong-link">{c.name}</a>),
          },
          { key: 'level', label: t('ledgers.col_level'), render: (c) => i18n.levelName(c.level) },
          {
            key: 'count', label: t('ledgers.col_count'), class: 'num',
            render: (c) => <span class="count-bar" style={{ '--share': `${share(c.count, items)}%` }}>{c.count}</span>,
          },
          {
            key: 'actions', label: t('ledgers.col_actions'), hideLabel: true,
            render: (c) => (
              <a class="btn btn-small" href={`#${withQuery('/residents', { ledger: name, area: c.code })}`}
                aria-label={t('ledgers.people_in', { area: c.name })}>
                {t('ledgers.people')}
              </a>
            ),
          },
        ]}
      />
    </section>
  );
}

function share(n, items) {
  const max = Math.max(1, ...items.map((x) => x.count));
  return Math.round((100 * n) / max);
}
