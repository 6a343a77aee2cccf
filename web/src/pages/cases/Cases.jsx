// 案件: "my tasks" (the cases the user's unit holds, and those awaiting its
// check, in tabs by state with their counts) and the list of every case of
// the scope with its filters. Both live in the hash (#/cases?view=all&state=
// handling&offset=20), so back, forward, links and a reload keep them.
import { get, query } from '../../api.js';
import { can } from '../../components/access.js';
import { AreaPicker } from '../../components/AreaPicker.jsx';
import { DataTable } from '../../components/DataTable.jsx';
import { useHashQuery, useLoad, withQuery } from '../../components/hooks.js';
import { useI18n } from '../../i18n.jsx';
import { navigate } from '../../router.js';
import { CardBadge, StateBadge, categoryName, unitName, useCaseCounts, useCaseMeta } from './common.jsx';

export const PAGE_SIZE = 20;
// The inbox's tabs: the open states; "done" holds what awaits the user's check too.
const TASK_TABS = ['reported', 'handling', 'done'];
const CARDS = ['yellow', 'red'];

export function CasesPage({ user }) {
  const { t } = useI18n();
  const hq = useHashQuery();
  const view = hq.view === 'all' ? 'all' : 'mine';
  const offset = Math.max(0, parseInt(hq.offset, 10) || 0);
  const go = (next) => navigate(withQuery('/cases', { ...hq, ...next }));

  return (
    <section class="page cases-page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('cases.title')}</h1>
        <div class="header-actions">
          {can(user, 'cases.write') && <a class="btn btn-primary" href="#/report">+ {t('cases.new')}</a>}
          <a class="btn" href="#/case-board">{t('nav.case_board')}</a>
        </div>
      </header>
      <div class="segmented case-views" role="tablist" aria-label={t('cases.views')}>
        {['mine', 'all'].map((x) => (
          <button key={x} type="button" role="tab" aria-selected={view === x ? 'true' : 'false'}
            class={`segment${view === x ? ' on' : ''}`} data-testid={`view-${x}`}
            onClick={() => navigate(withQuery('/cases', { view: x === 'mine' ? '' : x }))}>
            {t(`cases.view_${x}`)}
          </button>
        ))}
      </div>
      {view === 'mine'
        ? <Tasks user={user} hq={hq} offset={offset} go={go} />
        : <AllCases hq={hq} offset={offset} go={go} />}
    </section>
  );
}

function Tasks({ user, hq, offset, go }) {
  const { t } = useI18n();
  const { name } = useCaseMeta();
  const state = TASK_TABS.includes(hq.state) ? hq.state : 'reported';
  const counts = useCaseCounts(user, `${state}:${offset}`);
  const count = (s) => (counts ? (s === 'done' ? (counts.done || 0) + (counts.to_verify || 0) : counts[s] || 0) : null);
  const res = useLoad(
    () => get(`/api/v1/cases${query({ mine: 1, state, offset, limit: PAGE_SIZE })}`),
    [state, offset],
  );
  return (
    <>
      <div class="case-tabs" role="tablist" aria-label={t('cases.view_mine')} data-testid="task-tabs">
        {TASK_TABS.map((s) => (
          <button key={s} type="button" role="tab" aria-selected={state === s ? 'true' : 'false'}
            class={`case-tab${state === s ? ' on' : ''}`} data-testid={`tab-${s}`}
            onClick={() => go({ state: s, offset: '' })}>
            <span>{s === 'done' ? t('cases.tab_verify') : name('case_states', s)}</span>
            <span class="count-pill" data-testid={`count-${s}`}>{count(s) ?? '…'}</span>
          </button>
        ))}
      </div>
      <CaseTable res={res} offset={offset} go={go} empty={t('cases.no_tasks')} />
    </>
  );
}

function AllCases({ hq, offset, go }) {
  const { t } = useI18n();
  const cm = useCaseMeta();
  const f = {
    state: hq.state || '', type: hq.type || '', domain: hq.domain || '', area_code: hq.area_code || '', card: hq.card || '',
  };
  const res = useLoad(
    () => get(`/api/v1/cases${query({ ...f, offset, limit: PAGE_SIZE })}`),
    [f.state, f.type, f.domain, f.area_code, f.card, offset],
  );
  const select = (key, label, options) => (
    <div class="field field-compact">
      <label class="field-label" for={`cases-f-${key}`}>{label}</label>
      <select id={`cases-f-${key}`} value={f[key]} onChange={(e) => go({ [key]: e.currentTarget.value, offset: '' })}>
        <option value="">{t('cases.any')}</option>
        {options.map(([code, text]) => <option key={code} value={code}>{text}</option>)}
      </select>
    </div>
  );
  const pairs = (key) => cm.list(key).map((x) => [x.code, cm.pick(x)]);
  return (
    <>
      <form class="panel search-panel case-filters" aria-label={t('cases.filters')} onSubmit={(e) => e.preventDefault()}>
        <div class="filter-row">
          {select('state', t('cases.f_state'), [['open', t('cases.state_open')], ...pairs('case_states')])}
          {select('type', t('cases.f_type'), pairs('case_types'))}
          {select('domain', t('cases.f_domain'), pairs('case_domains'))}
          {select('card', t('cases.f_card'), CARDS.map((c) => [c, t(`cases.card_${c}`)]))}
          <AreaPicker id="cases-f-area" label={t('cases.f_area')} compact value={f.area_code}
            placeholder={t('cases.f_area_placeholder')} onChange={(code) => go({ area_code: code, offset: '' })} />
        </div>
      </form>
      <CaseTable res={res} offset={offset} go={go} empty={t('cases.empty')} />
    </>
  );
}

/** One page of cases ({items, total, next_offset}) as a table. */
export function CaseTable({ res, offset, go, empty }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const cm = useCaseMeta();
  const data = res.data || {};
  const columns = [
    { key: 'title', label: t('cases.col_title'), head: true,
      render: (c) => (
        <a href={`#/cases/${c.id}`} class="case-link" data-case-id={c.id}>
          <span class="mono muted">#{c.id}</span> {c.title}
        </a>
      ) },
    { key: 'state', label: t('cases.col_state'),
      render: (c) => <><StateBadge state={c.state} /> <CardBadge card={c.card} /></> },
    { key: 'type', label: t('cases.col_type'), render: (c) => cm.name('case_types', c.type) },
    { key: 'category', label: t('cases.col_category'), render: (c) => categoryName(c.category, lang) },
    { key: 'area', label: t('cases.col_area'), render: (c) => unitName(c.area) },
    { key: 'holder', label: t('cases.col_holder'), render: (c) => unitName(c.holder) },
    { key: 'created', label: t('cases.col_created'), class: 'nowrap', render: (c) => i18n.formatTime(c.created_at) },
  ];
  return (
    <div data-results={res.ready ? 'ready' : 'loading'} data-testid="case-list">
      <DataTable class="cases-table" caption={t('cases.title')} columns={columns} rows={data.items}
        rowKey={(c) => c.id} rowProps={(c) => ({ 'data-case-id': c.id })}
        loading={res.loading} error={res.error} onRetry={res.reload} empty={empty} total={data.total}
        pager={{
          offset, limit: PAGE_SIZE, more: data.next_offset != null,
          onPage: (o) => { go({ offset: o || '' }); window.scrollTo(0, 0); },
        }} />
    </div>
  );
}
