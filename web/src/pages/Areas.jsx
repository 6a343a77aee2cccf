// 区域: the jurisdiction tree from the user's scope down, and the page of one
// area (#/areas/:code) with its responsibility card (who to call), counts,
// ledgers and children. Admins add, rename, move and retire areas and assign
// the staff of the chain here.
import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, patch, post, query } from '../api.js';
import { canEditAreas, canReadPeople, childLevel } from '../components/access.js';
import { AreaPicker } from '../components/AreaPicker.jsx';
import { ConfirmDialog } from '../components/ConfirmDialog.jsx';
import { Field } from '../components/Field.jsx';
import { Pager } from '../components/Pager.jsx';
import { FormPanel, useForm } from '../components/form.jsx';
import { useDebounced, useLoad, withQuery } from '../components/hooks.js';
import { Empty, ErrorAlert, Flash, Loading } from '../components/States.jsx';
import { errorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';

const enc = encodeURIComponent;

/** The areas from the scope root down to `code`, root first. */
async function ancestors(code, scopeCode) {
  const chain = [];
  let next = code;
  for (let i = 0; next && i < 16; i++) {
    let a;
    try {
      a = await get(`/api/v1/areas/${enc(next)}`);
    } catch (e) {
      if (i === 0) throw e;
      break; // Above the scope: the server answers 404, as for any area outside it.
    }
    chain.unshift(a);
    if (a.code === scopeCode || !a.parent_code) break;
    next = a.parent_code;
  }
  return chain;
}

/** The chain ordered top first: by area (as the server gives it), then by position (the server's order). */
function orderChain(chain, positions) {
  const rank = (p) => {
    const i = positions.indexOf(p);
    return i < 0 ? positions.length : i;
  };
  const depth = new Map();
  chain.forEach((s) => {
    const c = s.area && s.area.code;
    if (!depth.has(c)) depth.set(c, depth.size);
  });
  return [...chain].sort((a, b) => (depth.get(a.area && a.area.code) - depth.get(b.area && b.area.code))
    || (rank(a.position) - rank(b.position)) || (a.id - b.id));
}

export function AreasPage({ user, params }) {
  const i18n = useI18n();
  const { t } = i18n;
  const scopeCode = user.scope && user.scope.code;
  const code = params.code || scopeCode;
  const admin = canEditAreas(user);
  const people = canReadPeople(user);
  const [version, setVersion] = useState(0);
  const [flash, setFlash] = useState('');
  const [form, setForm] = useState(null); // 'child' | 'edit' | 'staff'
  const [confirm, setConfirm] = useState(null);
  const bump = () => setVersion((v) => v + 1);

  const crumbs = useLoad(() => ancestors(code, scopeCode), [code, version]);
  const tree = useLoad(() => get(`/api/v1/areas/${enc(code)}/children`), [code, version]);
  const card = useLoad(() => get(`/api/v1/areas/${enc(code)}/card`), [code, version]);
  const ledgers = useLoad(
    () => (people ? get(`/api/v1/ledgers${query({ area: code })}`) : Promise.resolve(null)),
    [code, version, people],
  );

  // A new area closes the forms and the message of the last one.
  const lastCode = useRef(code);
  useEffect(() => {
    if (lastCode.current !== code) {
      lastCode.current = code;
      setForm(null);
      setFlash('');
    }
  }, [code]);

  const area = (tree.data && tree.data.area) || (card.data && card.data.area) || null;
  const isRoot = area && area.code === scopeCode;
  const retired = area && area.status === 'retired';

  if (!area && (tree.loading || card.loading)) {
    return (
      <section class="page" aria-labelledby="page-title">
        <h1 id="page-title">{t('areas.title')}</h1>
        <Loading text={t('areas.loading')} />
      </section>
    );
  }
  if (!area) {
    return (
      <section class="page" aria-labelledby="page-title">
        <h1 id="page-title">{t('areas.title')}</h1>
        <ErrorAlert error={tree.error || card.error} onRetry={bump} />
        <p><a class="btn" href="#/areas">{t('areas.back_to_scope')}</a></p>
      </section>
    );
  }

  async function setStatus() {
    const status = confirm.status;
    setConfirm({ ...confirm, busy: true, error: null });
    try {
      await patch(`/api/v1/areas/${enc(area.code)}`, { status });
      setConfirm(null);
      setFlash(t(status === 'retired' ? 'areas.retired_done' : 'areas.activated_done', { name: area.name }));
      bump();
    } catch (err) {
      setConfirm({ ...confirm, busy: false, error: errorText(i18n, err) });
    }
  }

  async function endStaff() {
    const s = confirm.staff;
    setConfirm({ ...confirm, busy: true, error: null });
    try {
      await del(`/api/v1/staff/${enc(s.id)}`);
      setConfirm(null);
      setFlash(t('card.ended_done', { name: s.name, position: t(`position.${s.position}`) }));
      bump();
    } catch (err) {
      setConfirm({ ...confirm, busy: false, error: errorText(i18n, err) });
    }
  }

  const open = (f) => {
    setFlash('');
    setForm(form === f ? null : f);
  };

  return (
    <section class="page area-page" aria-labelledby="page-title" data-area={area.code}>
      <Breadcrumbs crumbs={crumbs.data} current={area} />

      <header class="page-header">
        <div class="title-block">
          <h1 id="page-title">
            {area.name}
            <span class="tag">{i18n.levelName(area.level)}</span>
            {retired && <span class="badge badge-off">{t('astatus.retired')}</span>}
          </h1>
          <p class="muted small mono">{t('areas.code', { code: area.code })}</p>
        </div>
        {admin && (
          <div class="header-actions">
            {!retired && (
              <button type="button" class="btn btn-primary" aria-expanded={form === 'child' ? 'true' : 'false'}
                onClick={() => open('child')}>
                + {t('areas.add_child')}
              </button>
            )}
            {!isRoot && (
              <button type="button" class="btn" aria-expanded={form === 'edit' ? 'true' : 'false'}
                onClick={() => open('edit')}>
                {t('areas.edit')}
              </button>
            )}
            {!isRoot && !retired && (
              <button type="button" class="btn btn-danger-outline"
                onClick={() => { setFlash(''); setConfirm({ kind: 'status', status: 'retired' }); }}>
                {t('areas.retire')}
              </button>
            )}
            {!isRoot && retired && (
              <button type="button" class="btn"
                onClick={() => { setFlash(''); setConfirm({ kind: 'status', status: 'active' }); }}>
                {t('areas.activate')}
              </button>
            )}
          </div>
        )}
      </header>

      <Flash text={flash} />

      {form === 'child' && (
        <AddChildForm
          parent={area}
          onDone={(a) => {
            setForm(null);
            setFlash(t('areas.added_done', { name: a.name, code: a.code }));
            bump();
          }}
          onCancel={() => setForm(null)}
        />
      )}
      {form === 'edit' && (
        <EditAreaForm
          area={area}
          onDone={(a, moved) => {
            setForm(null);
            setFlash(t(moved ? 'areas.moved_done' : 'areas.renamed_done', { name: a.name }));
            bump();
          }}
          onCancel={() => setForm(null)}
        />
      )}

      <AreaSearch />

      <div class="area-grid">
        <div class="area-main">
          {card.data && card.data.overview && <ChildFiguresSection card={card.data} />}
          <CardSection
            card={card}
            area={area}
            admin={admin}
            people={people}
            showForm={form === 'staff'}
            onToggleForm={() => open('staff')}
            onAssigned={(s) => {
              setForm(null);
              setFlash(t('card.assigned_done', { name: s.name, position: t(`position.${s.position}`) }));
              bump();
            }}
            onEnd={(s) => { setFlash(''); setConfirm({ kind: 'staff', staff: s }); }}
            onRetry={bump}
          />
          {!(card.data && card.data.overview) && <ChildrenSection tree={tree} onRetry={bump} />}
        </div>
        <aside class="area-side">
          {people && <LedgerSection ledgers={ledgers} area={area} onRetry={bump} />}
          <BuildingsSection card={card} />
        </aside>
      </div>

      {confirm && confirm.kind === 'status' && (
        <ConfirmDialog
          title={t(confirm.status === 'retired' ? 'areas.retire_title' : 'areas.activate_title')}
          text={t(confirm.status === 'retired' ? 'areas.retire_confirm' : 'areas.activate_confirm', { name: area.name })}
          confirmLabel={t(confirm.status === 'retired' ? 'areas.retire' : 'areas.activate')}
          danger={confirm.status === 'retired'}
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={setStatus}
          onCancel={() => setConfirm(null)}
        />
      )}
      {confirm && confirm.kind === 'staff' && (
        <ConfirmDialog
          title={t('card.end_title')}
          text={t('card.end_confirm', {
            name: confirm.staff.name, position: t(`position.${confirm.staff.position}`), area: area.name,
          })}
          confirmLabel={t('card.end')}
          danger
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={endStaff}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

function Breadcrumbs({ crumbs, current }) {
  const { t } = useI18n();
  // While the path of a new area loads, the old one serves when the new
  // area sits right under its end (the usual step down the tree).
  let list = [current];
  if (crumbs && crumbs.length) {
    const last = crumbs[crumbs.length - 1];
    if (last.code === current.code) list = crumbs;
    else if (last.code === current.parent_code) list = [...crumbs, current];
  }
  return (
    <nav class="breadcrumbs" aria-label={t('areas.breadcrumbs')}>
      <ol>
        {list.map((a, i) => (
          <li key={a.code}>
            {i === list.length - 1
              ? <span aria-current="page">{a.name}</span>
              : <a href={`#/areas/${enc(a.code)}`}>{a.name}</a>}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function AreaSearch() {
  const i18n = useI18n();
  const { t } = i18n;
  const [q, setQ] = useState('');
  const debounced = useDebounced(q.trim(), 250);
  const found = useLoad(
    () => (debounced ? get(`/api/v1/areas${query({ q: debounced, limit: 50 })}`) : Promise.resolve(null)),
    [debounced],
  );
  const items = (found.data && found.data.items) || [];
  return (
    <div class="area-search">
      <div class="toolbar">
        <label class="sr-only" for="area-search">{t('areas.search')}</label>
        <input id="area-search" type="search" class="filter-input" placeholder={t('areas.search_placeholder')}
          value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      {debounced && (
        <div class="search-results" aria-live="polite">
          {found.loading && !found.data && <Loading text={t('areas.searching')} />}
          <ErrorAlert error={found.error} />
          {!found.loading && !found.error && items.length === 0 && (
            <Empty>{t('areas.search_none', { q: debounced })}</Empty>
          )}
          {items.length > 0 && (
            <ul class="link-list" aria-label={t('areas.search_results')}>
              {items.map((a) => (
                <li key={a.code}>
                  <a href={`#/areas/${enc(a.code)}`}>
                    <span class="link-name">{a.name}</span>
                    <span class="link-meta">
                      {i18n.levelName(a.level)} · <span class="mono">{a.code}</span>
                      {a.status === 'retired' && <> · {t('astatus.retired')}</>}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function ChildrenSection({ tree, onRetry }) {
  const i18n = useI18n();
  const { t } = i18n;
  const items = (tree.data && tree.data.items) || [];
  return (
    <section class="block" aria-labelledby="children-title">
      <h2 id="children-title">
        {t('areas.children')}
        {tree.data && <span class="count-pill">{items.length}</span>}
      </h2>
      {tree.loading && !tree.data && <Loading />}
      <ErrorAlert error={tree.error} onRetry={onRetry} />
      {tree.data && items.length === 0 && <Empty>{t('areas.children_empty')}</Empty>}
      {items.length > 0 && (
        <ul class={`area-list${tree.loading ? ' is-stale' : ''}`}>
          {items.map((a) => (
            <li key={a.code} class={a.status === 'retired' ? 'retired' : ''}>
              <a class="area-item" href={`#/areas/${enc(a.code)}`} data-code={a.code}>
                <span class="area-item-name">
                  {a.name}
                  {a.status === 'retired' && <span class="badge badge-off">{t('astatus.retired')}</span>}
                </span>
                <span class="area-item-meta">
                  {i18n.levelName(a.level)} · <span class="mono">{a.code}</span>
                </span>
                <span class="area-item-counts">
                  <span>{t('areas.n_children', { n: a.children ?? 0 })}</span>
                  <span>{t('areas.n_residents', { n: a.residents ?? 0 })}</span>
                </span>
                <span class="area-item-go" aria-hidden="true">›</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** An area's exact figures (the area and everything below it) as a row of stats. */
function FiguresRow({ f, testids }) {
  const { t } = useI18n();
  const id = (k) => (testids ? `card-${k}` : undefined);
  const stats = [
    ['households', f.households], ['residents', f.residents], ['floating', f.floating],
    ['buildings', f.buildings], ['grids', f.grids], ['staff_total', f.staff_total],
  ];
  return (
    <dl class="stat-row">
      {stats.map(([k, v]) => (
        <div class="stat" key={k}><dt>{t(`card.${k}`)}</dt><dd data-testid={id(k)}>{v ?? 0}</dd></div>
      ))}
    </dl>
  );
}

/** A city, county or town card leads with its children and their figures. */
function ChildFiguresSection({ card }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { codes } = useMeta();
  const positions = codes('staff_positions');
  const items = card.children || [];
  return (
    <section class="block" aria-labelledby="child-figures-title" data-testid="child-figures">
      <h2 id="child-figures-title">
        {t('card.children_title')}<span class="count-pill">{card.children_total}</span>
      </h2>
      {items.length === 0 && <Empty>{t('areas.children_empty')}</Empty>}
      {items.length > 0 && (
        <ul class="child-figs">
          {items.map((c) => (
            <li key={c.code} class={c.status === 'retired' ? 'retired' : ''} data-code={c.code}>
              <a class="child-fig-name" href={`#/areas/${enc(c.code)}`} data-code={c.code}>
                {c.name}
                <span class="tag">{i18n.levelName(c.level)}</span>
                {c.status === 'retired' && <span class="badge badge-off">{t('astatus.retired')}</span>}
              </a>
              <span class="child-fig-nums">
                <span>{t('card.residents')} <b>{c.figures.residents}</b></span>
                <span>{t('card.buildings')} <b>{c.figures.buildings}</b></span>
                <span>{t('card.grids')} <b>{c.figures.grids}</b></span>
                {positions.filter((p) => c.figures.staff[p]).map((p) => (
                  <span key={p}>{t(`position.${p}`)} <b>{c.figures.staff[p]}</b></span>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
      {card.children_truncated && (
        <p class="muted small">{t('card.children_more', { n: card.children_total - items.length })}</p>
      )}
    </section>
  );
}

/** One person of a card: position, name, where they sit, phone, and (admins) end. */
function PersonRow({ s, area, admin, onEnd }) {
  const { t } = useI18n();
  const here = s.area && s.area.code === area.code;
  return (
    <li class="person" data-position={s.position} data-staff-id={s.id}>
      <span class="person-position">{t(`position.${s.position}`)}</span>
      <span class="person-name">{s.name}</span>
      {!here && s.area && (
        <a class="person-area small" href={`#/areas/${enc(s.area.code)}`}>{s.area.name}</a>
      )}
      <span class="person-actions">
        {s.phone ? (
          <a class="btn btn-small tel" href={`tel:${s.phone}`} aria-label={t('card.call', { name: s.name, phone: s.phone })}>
            ☎ <span class="mono">{s.phone}</span>
          </a>
        ) : (
          <span class="muted small">{t('card.no_phone')}</span>
        )}
        {admin && here && (
          <button type="button" class="btn btn-small btn-danger-outline"
            aria-label={t('card.end_label', { name: s.name })} onClick={() => onEnd(s)}>
            {t('card.end')}
          </button>
        )}
      </span>
    </li>
  );
}

const STAFF_PAGE = 50;

/**
 * The people of one position on the area and below: the card's first few,
 * and "show all (N)" that pages through GET /api/v1/areas/{code}/staff.
 */
function StaffGroup({ group, area, admin, onEnd }) {
  const { t } = useI18n();
  const [offset, setOffset] = useState(null); // null: collapsed to the card's items
  const page = useLoad(
    () => (offset === null ? Promise.resolve(null)
      : get(`/api/v1/areas/${enc(area.code)}/staff${query({ position: group.position, offset, limit: STAFF_PAGE })}`)),
    [area.code, group.position, offset],
  );
  const open = offset !== null;
  const items = open ? ((page.data && page.data.items) || []) : group.items;
  const label = t(`position.${group.position}`);
  return (
    <div class="staff-group" data-position={group.position} data-testid={`staff-group-${group.position}`}>
      <h4 class="staff-group-title">{label}<span class="count-pill">{group.total}</span></h4>
      {open && page.loading && !page.data && <Loading />}
      <ErrorAlert error={open ? page.error : null} />
      <ul class={`chain${open && page.loading ? ' is-stale' : ''}`} aria-label={label}>
        {items.map((s) => <PersonRow key={s.id} s={s} area={area} admin={admin} onEnd={onEnd} />)}
      </ul>
      {open && page.data && (
        <Pager offset={offset} limit={STAFF_PAGE} shown={items.length}
          more={offset + items.length < page.data.total} onPage={setOffset} />
      )}
      {group.truncated && (
        <button type="button" class="btn btn-small show-all" aria-expanded={open ? 'true' : 'false'}
          data-testid="show-all" onClick={() => setOffset(open ? null : 0)}>
          {open ? t('card.collapse') : t('card.show_all', { n: group.total })}
        </button>
      )}
    </div>
  );
}

function CardSection({ card, area, admin, people, showForm, onToggleForm, onAssigned, onEnd, onRetry }) {
  const { t } = useI18n();
  const { codes } = useMeta();
  const data = card.data;
  const chain = data ? orderChain(data.chain || [], codes('staff_positions')) : [];
  const groups = data ? (data.staff || []).filter((g) => g.total > 0) : [];
  return (
    <section class="block card-block" aria-labelledby="card-title" data-testid="area-card">
      <div class="block-header">
        <h2 id="card-title">{t('card.title')}</h2>
        {admin && area.status !== 'retired' && (
          <button type="button" class="btn btn-small" aria-expanded={showForm ? 'true' : 'false'} onClick={onToggleForm}>
            + {t('card.assign')}
          </button>
        )}
      </div>
      {card.loading && !data && <Loading />}
      <ErrorAlert error={card.error} onRetry={onRetry} />
      {data && (
        <>
          {data.figures && <FiguresRow f={data.figures} testids />}
          {people && (
            <p class="block-links">
              <a class="btn btn-small" href={`#${withQuery('/residents', { area: area.code })}`} data-testid="area-residents-link">
                {t('card.residents_link')} ›
              </a>
            </p>
          )}
          {showForm && <AssignForm area={area} onDone={onAssigned} onCancel={onToggleForm} />}
          <h3 class="sub-title">{t('card.people')}</h3>
          {groups.length === 0 ? (
            <Empty>{t('card.people_empty')}</Empty>
          ) : (
            groups.map((g) => <StaffGroup key={`${area.code}/${g.position}`} group={g} area={area} admin={admin} onEnd={onEnd} />)
          )}
          {chain.length > 0 && (
            <>
              <h3 class="sub-title">{t('card.who_to_call')}</h3>
              <ul class="chain" aria-label={t('card.who_to_call')}>
                {chain.map((s) => <PersonRow key={s.id} s={s} area={area} admin={admin} onEnd={onEnd} />)}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

function BuildingsSection({ card }) {
  const { t } = useI18n();
  const list = (card.data && card.data.buildings) || [];
  if (!card.data || list.length === 0) return null;
  // The card lists at most 1,000 buildings; the total counts them all.
  const total = card.data.buildings_total ?? list.length;
  return (
    <section class="block" aria-labelledby="buildings-title">
      <h2 id="buildings-title">{t('card.buildings')}<span class="count-pill">{total}</span></h2>
      <ul class="chip-list">
        {list.slice(0, 200).map((b) => (
          <li key={b.code}><a class="chip" href={`#/areas/${enc(b.code)}`}>{b.name}</a></li>
        ))}
      </ul>
      {total > 200 && <p class="muted small">{t('card.buildings_more', { n: total - 200 })}</p>}
    </section>
  );
}

function LedgerSection({ ledgers, area, onRetry }) {
  const { t, lang } = useI18n();
  const items = (ledgers.data && ledgers.data.items) || [];
  const nonzero = items.filter((l) => l.count > 0);
  return (
    <section class="block" aria-labelledby="area-ledgers-title" data-testid="area-ledgers">
      <h2 id="area-ledgers-title">{t('ledgers.title')}</h2>
      {ledgers.loading && !ledgers.data && <Loading />}
      <ErrorAlert error={ledgers.error} onRetry={onRetry} />
      {ledgers.data && nonzero.length === 0 && <Empty>{t('ledgers.none_here')}</Empty>}
      {nonzero.length > 0 && (
        <ul class="count-list">
          {nonzero.map((l) => (
            <li key={l.name} data-ledger={l.name}>
              <a href={`#${withQuery('/residents', { ledger: l.name, area: area.code })}`}>
                <span>{lang === 'en' ? l.en : l.zh}</span>
                <span class="count">{l.count}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {ledgers.data && (
        <p class="block-links">
          <a href={`#${withQuery('/ledgers', { area: area.code })}`}>{t('ledgers.all_link')} ›</a>
        </p>
      )}
    </section>
  );
}

function AddChildForm({ parent, onDone, onCancel }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { codes } = useMeta();
  const levels = codes('area_levels');
  const first = useRef(null);
  useEffect(() => { if (first.current) first.current.focus(); }, []);
  const form = useForm({
    id: 'child',
    initial: { code: '', name: '', level: childLevel(levels, parent.level) },
    fields: ['code', 'name', 'level'],
    async onSubmit(v) {
      onDone(await post('/api/v1/areas', {
        code: v.code.trim(), name: v.name.trim(), level: v.level, parent_code: parent.code,
      }));
    },
  });

  // The top level is the root's alone: a child is never one.
  return (
    <FormPanel form={form} title={t('areas.add_child_title', { name: parent.name })}
      submitLabel={t('areas.add_child')} onCancel={onCancel}>
      <Field {...form.field('code')} label={t('areas.f_code')} hint={t('areas.f_code_hint')} required>
        {(a) => <input {...a} {...form.input('code')} ref={first} required autocomplete="off" spellcheck={false} />}
      </Field>
      <Field {...form.field('name')} label={t('areas.f_name')} required>
        {(a) => <input {...a} {...form.input('name')} required autocomplete="off" />}
      </Field>
      <Field {...form.field('level')} label={t('areas.f_level')} required>
        {(a) => (
          <select {...a} {...form.input('level')} required data-testid="level-select">
            {levels.slice(1).map((l) => <option key={l} value={l}>{i18n.levelName(l)}</option>)}
          </select>
        )}
      </Field>
    </FormPanel>
  );
}

function EditAreaForm({ area, onDone, onCancel }) {
  const { t } = useI18n();
  const form = useForm({
    id: 'edit',
    initial: { name: area.name, parent_code: area.parent_code || '' },
    fields: ['name', 'parent_code'],
    async onSubmit(v, f) {
      const body = {};
      if (v.name.trim() !== area.name) body.name = v.name.trim();
      if (v.parent_code && v.parent_code !== area.parent_code) body.parent_code = v.parent_code;
      if (!v.parent_code) return f.fail('parent_code', t('error.missing_field'));
      if (Object.keys(body).length === 0) return f.fail(null, t('common.no_changes'));
      const a = await patch(`/api/v1/areas/${enc(area.code)}`, body);
      return onDone(a, !!body.parent_code);
    },
  });

  return (
    <FormPanel form={form} title={t('areas.edit_title', { name: area.name })}
      submitLabel={t('common.save')} onCancel={onCancel}>
      <Field {...form.field('name')} label={t('areas.f_name')} required>
        {(a) => <input {...a} {...form.input('name')} required autocomplete="off" />}
      </Field>
      <AreaPicker {...form.field('parent_code')} label={t('areas.f_parent')} hint={t('areas.f_parent_hint')}
        required value={form.values.parent_code} onChange={(c) => form.setValue('parent_code', c)} />
    </FormPanel>
  );
}

/** The position most areas of a level have (a default the admin may change). */
const USUAL_POSITION = { town: 'commander', community: 'grid_head', building: 'building_head' };

function AssignForm({ area, onDone, onCancel }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { codes } = useMeta();
  const positions = codes('staff_positions');
  const usual = USUAL_POSITION[area.level] || 'grid_worker';
  const form = useForm({
    id: 'staff',
    initial: { position: positions.includes(usual) ? usual : positions[0], name: '', phone: '', username: '' },
    fields: ['position', 'name', 'phone', 'username'],
    async onSubmit(v) {
      const body = { area_code: area.code, position: v.position, name: v.name.trim() };
      if (v.phone.trim()) body.phone = v.phone.trim();
      if (v.username.trim()) body.username = v.username.trim();
      onDone(await post('/api/v1/staff', body));
    },
  });

  return (
    <FormPanel form={form} sub title={t('card.assign_title', { name: area.name })}
      submitLabel={t('card.assign')} onCancel={onCancel}>
      <Field {...form.field('position')} label={t('card.f_position')} required>
        {(a) => (
          <select {...a} {...form.input('position')} required>
            {positions.map((p) => <option key={p} value={p}>{t(`position.${p}`)}</option>)}
          </select>
        )}
      </Field>
      <Field {...form.field('name')} label={t('card.f_name')} required>
        {(a) => <input {...a} {...form.input('name')} required autocomplete="off" />}
      </Field>
      <Field {...form.field('phone')} label={t('card.f_phone')} hint={t('card.f_phone_hint')}>
        {(a) => <input {...a} {...form.input('phone')} type="tel" inputmode="tel" autocomplete="off" />}
      </Field>
      <Field {...form.field('username')} label={t('card.f_username')} hint={t('card.f_username_hint')}>
        {(a) => <input {...a} {...form.input('username')} autocomplete="off" autocapitalize="none" spellcheck={false} />}
      </Field>
    </FormPanel>
  );
}
