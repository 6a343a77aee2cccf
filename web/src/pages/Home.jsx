// The home page: the caller's scope at a glance. Roles that read areas get
// the figures of their scope (GET /api/v1/areas/{code}/figures: counts only)
// as key numbers, charts and a table of the child areas; the centre's home is
// laid out for a wall screen (up to 2560 px wide) and refreshes itself every
// minute. Every role keeps its shortcuts.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.js';
import { can } from '../components/access.js';
import { Chart, loadCharts } from '../components/Chart.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { ErrorAlert, Loading } from '../components/States.jsx';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
import { navRoutes } from '../routes.js';

const REFRESH_MS = 60_000;
// More child areas than this are compared in the chart by the most populous;
// the table below lists them all.
const CHART_CHILDREN = 15;
const COLOURS = { permanent: '#1d4f91', floating: '#d97706', added: '#1e7b45', moved_out: '#b42318', corrected: '#52606d' };

/** The figures of the user's scope, fetched again every `every` ms when given. */
function useFigures(code, every) {
  const [state, setState] = useState({ data: null, error: null, loading: true, at: null });
  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    get(`/api/v1/areas/${encodeURIComponent(code)}/figures`)
      .then((data) => setState({ data, error: null, loading: false, at: Date.now() / 1000 }))
      .catch((error) => setState((s) => ({ ...s, error, loading: false })));
  }, [code]);
  useEffect(() => {
    load();
    if (!every) return undefined;
    const id = setInterval(load, every);
    return () => clearInterval(id);
  }, [load, every]);
  return { ...state, reload: load };
}

const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');

function Kpis({ f, t }) {
  const share = f.population ? ((100 * f.floating) / f.population).toFixed(1) : '0.0';
  const items = [
    ['population', t('home.population'), fmt(f.population), null],
    ['floating', t('home.floating'), fmt(f.floating), t('home.floating_share', { p: share })],
    ['added', t('home.week_added'), fmt(f.week.added), t('home.week')],
    ['moved_out', t('home.week_moved_out'), fmt(f.week.moved_out), t('home.week')],
    ['corrected', t('home.week_corrected'), fmt(f.week.corrected), t('home.week')],
  ];
  return (
    <dl class="kpi-row" data-testid="home-kpis">
      {items.map(([key, label, value, note]) => (
        <div class={`kpi kpi-${key}`} key={key}>
          <dt>{label}</dt>
          <dd data-testid={`kpi-${key}`}>{value}</dd>
          {note && <dd class="kpi-note">{note}</dd>}
        </div>
      ))}
    </dl>
  );
}

/** The ECharts options of the home's charts, in the UI's language. */
function chartOptions(f, t, lang, big) {
  const font = big ? 15 : 12;
  const tooltip = { trigger: 'axis', axisPointer: { type: 'shadow' } };
  const ledgerName = (l) => (lang === 'en' ? l.en : l.zh);
  const out = {};

  const kids = [...f.children].sort((a, b) => b.population - a.population).slice(0, CHART_CHILDREN);
  if (kids.length) {
    const names = kids.map((c) => c.name).reverse();
    out.children = {
      points: kids.length * 2,
      option: {
        tooltip,
        // Room for the legend on two lines, as on a phone in English.
        legend: { top: 0, textStyle: { fontSize: font } },
        grid: { left: 8, right: 24, top: big ? 40 : 56, bottom: 8, containLabel: true },
        xAxis: { type: 'value', axisLabel: { fontSize: font } },
        yAxis: { type: 'category', data: names, axisLabel: { fontSize: font, interval: 0, width: big ? 160 : 96, overflow: 'truncate' } },
        series: [
          { name: t('home.permanent'), type: 'bar', stack: 'p', color: COLOURS.permanent,
            data: kids.map((c) => c.population - c.floating).reverse() },
          { name: t('home.floating'), type: 'bar', stack: 'p', color: COLOURS.floating,
            data: kids.map((c) => c.floating).reverse() },
        ],
      },
    };
  }

  // Ledgers are counted only for roles that read people (the server leaves
  // them out for the others).
  const ledgers = [...f.ledger_list].reverse();
  if (ledgers.length) out.ledgers = {
    points: ledgers.length,
    option: {
      tooltip,
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      // Few ticks: six-digit counts side by side would run into each other.
      xAxis: { type: 'value', splitNumber: 3, axisLabel: { fontSize: font } },
      yAxis: { type: 'category', data: ledgers.map(ledgerName), axisLabel: { fontSize: font } },
      series: [{ type: 'bar', name: t('home.ledgers'), color: COLOURS.permanent,
        label: { show: true, position: 'right', fontSize: font, formatter: (p) => fmt(p.value) },
        data: ledgers.map((l) => l.count) }],
    },
  };

  out.composition = {
    points: 2,
    option: {
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { bottom: 0, textStyle: { fontSize: font } },
      series: [{
        type: 'pie', radius: ['40%', '68%'], center: ['50%', '45%'],
        label: { formatter: '{d}%', fontSize: font },
        data: [
          { name: t('home.permanent'), value: f.population - f.floating, itemStyle: { color: COLOURS.permanent } },
          { name: t('home.floating'), value: f.floating, itemStyle: { color: COLOURS.floating } },
        ],
      }],
    },
  };

  const week = ['added', 'moved_out', 'corrected'];
  out.week = {
    points: week.length,
    option: {
      tooltip,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: week.map((k) => t(`home.week_${k}`)), axisLabel: { fontSize: font } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: font } },
      series: [{ type: 'bar', name: t('home.week'), barMaxWidth: 56,
        label: { show: true, position: 'top', fontSize: font, formatter: (p) => fmt(p.value) },
        data: week.map((k) => ({ value: f.week[k], itemStyle: { color: COLOURS[k] } })) }],
    },
  };
  return out;
}

function ChartPanel({ title, note, chart, testid, wide }) {
  if (!chart) return null;
  return (
    <section class={`panel chart-panel${wide ? ' chart-wide' : ''}`} aria-label={title}>
      <h2 class="chart-title">{title}</h2>
      {note && <p class="chart-note">{note}</p>}
      <Chart option={chart.option} points={chart.points} label={title} testid={testid} />
    </section>
  );
}

function ChildTable({ f, t, lang, levelName }) {
  const columns = [
    { key: 'name', label: t('home.col_area'), head: true,
      render: (c) => <a href={`#/areas/${encodeURIComponent(c.code)}`}>{c.name}</a> },
    { key: 'level', label: t('home.scope_level'), render: (c) => levelName(c.level) },
    { key: 'population', label: t('home.population'), class: 'num', render: (c) => fmt(c.population) },
    { key: 'floating', label: t('home.floating'), class: 'num', render: (c) => fmt(c.floating) },
    ...f.ledger_list.map((l) => ({
      key: `l_${l.name}`, label: lang === 'en' ? l.en : l.zh, class: 'num col-ledger',
      render: (c) => fmt(c.ledgers[l.name]),
    })),
  ];
  return (
    <section class="home-children" aria-labelledby="home-children-title">
      <h2 id="home-children-title">{t('home.children_table')}</h2>
      <DataTable columns={columns} rows={f.children} rowKey={(c) => c.code} class="figures-table"
        caption={t('home.children_table')} total={f.children_total}
        truncated={f.children_truncated} empty={t('home.no_children')} />
    </section>
  );
}

function Figures({ user, big }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const code = (user.scope || {}).code;
  const { data: f, error, loading, at, reload } = useFigures(code, big ? REFRESH_MS : 0);
  // ECharts comes in its own chunk: fetch it while the figures are asked for,
  // not after they arrive (a failure shows in each chart's box).
  useEffect(() => {
    loadCharts().catch(() => {});
  }, []);
  const charts = useMemo(() => (f ? chartOptions(f, t, lang, big) : null), [f, t, lang, big]);

  if (!f) return error ? <ErrorAlert error={error} onRetry={reload} /> : <Loading />;
  const cut = f.children.length > CHART_CHILDREN
    ? t('home.children_top', { n: CHART_CHILDREN, total: f.children_total }) : null;
  return (
    <div class="figures" data-testid="home-figures" role="region" aria-label={t('home.figures')}>
      <div class="figures-bar">
        <span class="figures-refreshed" data-testid="home-refreshed">
          {t('home.refreshed', { time: i18n.formatTime(Math.floor(at)) })}
          {big && <span class="tag">{t('home.auto_refresh')}</span>}
        </span>
        <button type="button" class="btn btn-small no-print" onClick={reload} disabled={loading}>
          {t('home.refresh')}
        </button>
      </div>
      <ErrorAlert error={error} onRetry={reload} />
      <Kpis f={f} t={t} />
      <div class={`chart-grid${charts.ledgers ? '' : ' no-ledgers'}`}>
        <ChartPanel title={t('home.children')} note={cut} chart={charts.children} testid="chart-children" wide />
        <ChartPanel title={t('home.ledgers')} chart={charts.ledgers} testid="chart-ledgers" />
        <ChartPanel title={t('home.composition')} chart={charts.composition} testid="chart-composition" />
        <ChartPanel title={t('home.week')} chart={charts.week} testid="chart-week" />
      </div>
      {f.children_total > 0 && <ChildTable f={f} t={t} lang={lang} levelName={i18n.levelName} />}
    </div>
  );
}

export function HomePage({ user }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { roleName } = useMeta();
  const scope = user.scope || {};
  const shortcuts = navRoutes(user).filter((r) => r.path !== '/');
  const figures = can(user, 'areas.read') && scope.code;
  // The centre watches its whole scope on a wall screen.
  const big = figures && user.role === 'centre';

  return (
    <section class={`page home${big ? ' home-big' : ''}`} aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('home.welcome', { name: user.display_name || user.username })}</h1>
        <p class="home-who">
          <span data-testid="home-role" title={t('home.role')}>{roleName(user.role)}</span>
          <span aria-hidden="true"> · </span>
          <span data-testid="home-scope" title={t('home.scope')}>
            {scope.name || scope.code || '—'}
            {scope.level && <span class="tag">{i18n.levelName(scope.level)}</span>}
          </span>
          <span class="mono home-code"> {scope.code || ''}</span>
        </p>
      </header>
      {figures ? <Figures user={user} big={big} /> : (
        <>
          <p class="lead">{t('home.intro')}</p>
          <dl class="summary-grid">
            <div class="summary-item">
              <dt>{t('home.scope_code')}</dt>
              <dd class="mono">{scope.code || '—'}</dd>
            </div>
            <div class="summary-item">
              <dt>{t('home.account')}</dt>
              <dd class="mono">{user.username}</dd>
            </div>
          </dl>
        </>
      )}
      {shortcuts.length > 0 && (
        <section aria-labelledby="shortcuts-title" class="shortcuts no-print">
          <h2 id="shortcuts-title">{t('home.shortcuts')}</h2>
          <ul class="shortcut-list">
            {shortcuts.map((r) => (
              <li key={r.path}>
                <a class="shortcut" href={`#${r.path}`}>
                  <span class="nav-icon" aria-hidden="true">{r.icon}</span>
                  {t(r.title)}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
