// 指挥看板: the centre's board of cases for one area and a period: cases by
// domain and by child area (a click on a child area opens its own board, so
// the county drills down to the grid), the handled and on-time rates month
// by month (GET /api/v1/case-figures), and the cases past their deadline
// (the supervision cards, from the case list). The area and the period live
// in the hash (#/case-board?area=...&months=12).
import { useMemo } from 'preact/hooks';
import { get, query } from '../../api.js';
import { Chart } from '../../components/Chart.jsx';
import { useHashQuery, useLoad, withQuery } from '../../components/hooks.js';
import { ErrorAlert, Loading } from '../../components/States.jsx';
import { useI18n } from '../../i18n.jsx';
import { navigate } from '../../router.js';
import { CaseTable } from './Cases.jsx';

const PERIODS = [3, 12, 36];
const OVERDUE_SIZE = 20;
const COLOURS = { total: '#1d4f91', closed: '#1e7b45', handled: '#1e7b45', on_time: '#d97706' };
const enc = encodeURIComponent;

/** A day as YYYY-MM-DD in Asia/Shanghai, `monthsBack` months before this one's first day (or today). */
function day(monthsBack) {
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const d = monthsBack == null ? now
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1));
  return d.toISOString().slice(0, 10);
}

/**
 * The groups of a figures answer (docs/cases.md, "Figures of cases") as
 * [{key, name, filed, closed, handled_rate, on_time_rate, open_overdue}],
 * rates in percent or null; `name` in the UI's language.
 */
export function figureRows(answer, lang) {
  const pct = (r) => (r == null ? null : r * 100);
  return ((answer && answer.groups) || []).map((g) => ({
    key: g.key,
    name: g.name || (lang === 'en' ? g.en : g.zh) || g.key,
    self: !!g.self,
    filed: g.filed || 0,
    closed: g.closed || 0,
    open_overdue: g.open_overdue || 0,
    handled_rate: pct(g.handled_rate),
    on_time_rate: pct(g.on_time_rate),
  }));
}

function useFigures(area, from, to, by) {
  return useLoad(() => get(`/api/v1/case-figures${query({ area_code: area, from, to, by })}`), [area, from, to, by]);
}

/** The areas from the user's scope down to `code`, top first, for the way back up. */
async function trail(code, scopeCode) {
  const out = [];
  let next = code;
  for (let i = 0; next && i < 12; i++) {
    const a = await get(`/api/v1/areas/${enc(next)}`);
    out.unshift(a);
    if (a.code === scopeCode || !a.parent_code) break;
    next = a.parent_code;
  }
  return out;
}

export function BoardPage({ user }) {
  const i18n = useI18n();
  const { t } = i18n;
  const hq = useHashQuery();
  const scope = (user.scope && user.scope.code) || '';
  const area = hq.area || scope;
  const months = PERIODS.includes(Number(hq.months)) ? Number(hq.months) : 12;
  const from = useMemo(() => day(months - 1), [months]);
  const to = useMemo(() => day(), [months]);
  const go = (next) => navigate(withQuery('/case-board', { ...hq, ...next }));

  const path = useLoad(() => trail(area, scope).catch(() => []), [area]);
  const byDomain = useFigures(area, from, to, 'domain');
  const byArea = useFigures(area, from, to, 'child_area');
  const byMonth = useFigures(area, from, to, 'month');
  const overdue = useLoad(async () => {
    const [red, yellow] = await Promise.all(['red', 'yellow'].map((card) => get(`/api/v1/cases${query({
      area_code: area, state: 'open', card, limit: OVERDUE_SIZE,
    })}`)));
    return {
      items: [...red.items, ...yellow.items].slice(0, OVERDUE_SIZE),
      total: (red.total || 0) + (yellow.total || 0),
    };
  }, [area]);

  const charts = useMemo(
    () => boardCharts({ byDomain: byDomain.data, byArea: byArea.data, byMonth: byMonth.data, t, lang: i18n.lang }),
    [byDomain.data, byArea.data, byMonth.data, t, i18n.lang],
  );
  // The cases filed on the area itself (not below a child) are no child to open.
  const kids = figureRows(byArea.data, i18n.lang).filter((k) => !k.self);
  const total = (byDomain.data && byDomain.data.total) || null;
  const num = (x) => (typeof x === 'number' ? x.toLocaleString('en-US') : '—');
  const rate = (x) => (x == null ? '—' : `${(x * 100).toFixed(2)}%`);
  const missing = [byDomain, byArea, byMonth].find((r) => r.error && r.error.status === 404);

  return (
    <section class="page case-board" aria-labelledby="page-title" data-testid="case-board" data-area={area}>
      <header class="page-header">
        <h1 id="page-title">{t('board.title')}</h1>
        <div class="segmented" role="radiogroup" aria-label={t('board.period')}>
          {PERIODS.map((m) => (
            <label key={m} class={`segment${months === m ? ' on' : ''}`}>
              <input type="radio" name="board-period" checked={months === m} onChange={() => go({ months: m })} />
              {t('board.months', { n: m })}
            </label>
          ))}
        </div>
      </header>
      <nav class="breadcrumbs" aria-label={t('board.trail')} data-testid="board-trail">
        {(path.data || []).map((a, i, all) => (
          <span key={a.code}>
            {i > 0 && <span aria-hidden="true"> › </span>}
            {i === all.length - 1 ? <strong aria-current="page">{a.name}</strong>
              : <a href={`#${withQuery('/case-board', { ...hq, area: a.code === scope ? '' : a.code })}`}>{a.name}</a>}
          </span>
        ))}
      </nav>
      {missing ? <p class="alert alert-info" data-testid="board-no-figures">{t('board.no_figures')}</p> : (
        <dl class="kpi-row" data-testid="board-kpis">
          <div class="kpi"><dt>{t('board.total')}</dt><dd data-testid="kpi-filed">{num(total && total.filed)}</dd></div>
          <div class="kpi"><dt>{t('board.closed')}</dt><dd data-testid="kpi-closed">{num(total && total.closed)}</dd></div>
          <div class="kpi"><dt>{t('board.handled_rate')}</dt><dd data-testid="kpi-handled">{rate(total && total.handled_rate)}</dd></div>
          <div class="kpi"><dt>{t('board.on_time_rate')}</dt><dd data-testid="kpi-on-time">{rate(total && total.on_time_rate)}</dd>
            <dd class="kpi-note">{t('board.on_time_def')}</dd></div>
          <div class="kpi kpi-overdue"><dt>{t('board.open_overdue')}</dt><dd data-testid="kpi-overdue">{num(total && total.open_overdue)}</dd></div>
        </dl>
      )}
      <div class="chart-grid">
        <BoardChart title={t('board.by_domain')} res={byDomain} chart={charts.domain} testid="chart-domain" />
        <BoardChart title={t('board.by_area')} res={byArea} chart={charts.area} testid="chart-area"
          note={kids.length ? t('board.drill_hint') : null}
          onClick={(p) => {
            const k = charts.areaKeys && charts.areaKeys[p.dataIndex];
            if (k) go({ area: k });
          }} />
        <BoardChart title={t('board.rates')} res={byMonth} chart={charts.months} testid="chart-months" wide />
      </div>
      {kids.length > 0 && (
        <section class="panel" aria-labelledby="board-kids-title">
          <h2 id="board-kids-title" class="panel-title">{t('board.children')}</h2>
          <ul class="chip-list board-children" data-testid="board-children">
            {kids.map((k) => (
              <li key={k.key}>
                <a class="chip" href={`#${withQuery('/case-board', { ...hq, area: k.key })}`}>
                  {k.name} <span class="count-pill">{num(k.filed)}</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="board-overdue" aria-labelledby="board-overdue-title">
        <h2 id="board-overdue-title">{t('board.overdue')}</h2>
        <p class="field-hint">{t('board.overdue_hint')}</p>
        <CaseTable res={overdue} offset={0} go={() => {}} empty={t('board.no_overdue')} />
        <p><a href={`#${withQuery('/cases', { view: 'all', state: 'open', card: 'red', area_code: area === scope ? '' : area })}`}>
          {t('board.overdue_all')}
        </a></p>
      </section>
    </section>
  );
}

function BoardChart({ title, note, res, chart, testid, wide, onClick }) {
  return (
    <section class={`panel chart-panel${wide ? ' chart-wide' : ''}`} aria-label={title}>
      <h2 class="chart-title">{title}</h2>
      {note && <p class="chart-note">{note}</p>}
      {res.error && res.error.status !== 404 && <ErrorAlert error={res.error} onRetry={res.reload} />}
      {!res.data && res.loading && <Loading />}
      {chart && <Chart option={chart.option} points={chart.points} label={title} testid={testid} onClick={onClick}
        class={chart.tall ? 'chart-tall' : ''} />}
    </section>
  );
}

/** The ECharts options of the board, in the UI's language. */
function boardCharts({ byDomain, byArea, byMonth, t, lang }) {
  const out = {};
  const tooltip = { trigger: 'axis', axisPointer: { type: 'shadow' } };
  // Bars from the top down in the server's order (ECharts draws categories bottom up).
  const bars = (rows) => ({
    points: rows.length * 2,
    // A dozen categories and more need the height to keep their labels apart.
    tall: rows.length > 8,
    option: {
      tooltip,
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      // Few ticks: four-digit counts side by side would run into each other on a phone.
      xAxis: { type: 'value', minInterval: 1, splitNumber: 3 },
      yAxis: { type: 'category', data: rows.map((r) => r.name).reverse(), axisLabel: { interval: 0, width: 96, overflow: 'truncate' } },
      series: [
        { name: t('board.total'), type: 'bar', barMaxWidth: 24, color: COLOURS.total, data: rows.map((r) => r.filed).reverse() },
        { name: t('board.closed'), type: 'bar', barMaxWidth: 24, color: COLOURS.closed, data: rows.map((r) => r.closed).reverse() },
      ],
    },
  });
  const domains = figureRows(byDomain, lang);
  if (domains.length) out.domain = bars(domains);
  const areas = figureRows(byArea, lang).filter((r) => !r.self);
  if (areas.length) {
    out.area = bars(areas);
    out.area.option.series.forEach((x) => { x.cursor = 'pointer'; });
    out.areaKeys = areas.map((r) => r.key).reverse();
  }
  const months = figureRows(byMonth, lang);
  if (months.length) {
    out.months = {
      points: months.length * 2,
      option: {
        tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : `${Number(v).toFixed(2)}%`) },
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: months.map((r) => r.key) },
        // Rates near 100 % differ in their last points: the axis starts just below the lowest.
        yAxis: {
          type: 'value', max: 100, min: (v) => Math.max(0, Math.floor(v.min / 5) * 5 - 5), axisLabel: { formatter: '{value}%' },
        },
        series: [
          { name: t('board.handled_rate'), type: 'line', color: COLOURS.handled, connectNulls: false, data: months.map((r) => r.handled_rate) },
          { name: t('board.on_time_rate'), type: 'line', color: COLOURS.on_time, connectNulls: false, data: months.map((r) => r.on_time_rate) },
        ],
      },
    };
  }
  return out;
}
