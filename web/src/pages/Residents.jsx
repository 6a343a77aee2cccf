// 居民: search the residents of the user's scope (one box read by its shape
// on the server: name, full ID number, its last digits, phone or address),
// filter by area, ledger and status, page through the results, export them,
// and register a new resident (an ID number already registered is shown,
// never overwritten: corrections are made on the resident's own page). The search lives in the hash
// (#/residents?q=..&ledger=..), so links from other pages, back and forward
// and a reload all keep it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, patch, post, query } from '../api.js';
import { Phone } from '../components/Phone.jsx';
import { canWritePeople, splitTags } from '../components/access.js';
import { AreaPicker } from '../components/AreaPicker.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { ExportLinks } from '../components/ExportLinks.jsx';
import { Field } from '../components/Field.jsx';
import { FormPanel, useForm } from '../components/form.jsx';
import { useHashQuery, useLoad, withQuery } from '../components/hooks.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
import { navigate } from '../router.js';

export const PAGE_SIZE = 20;

/** The ledger catalogue, for names and the filter (empty when not allowed). */
export function useLedgerCatalogue() {
  const res = useLoad(() => get('/api/v1/ledgers').catch(() => ({ items: [] })), []);
  return (res.data && res.data.items) || [];
}

/** A ledger's name in the current language, from the catalogue. */
export function ledgerName(catalogue, name, lang) {
  const l = catalogue.find((x) => x.name === name);
  return l ? (lang === 'en' ? l.en : l.zh) : name;
}

export function ResidentsPage({ user }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const { codes } = useMeta();
  // The server's statuses, and "all" (its filter value for any status).
  const statusFilters = [...codes('resident_statuses'), 'all'];
  const hq = useHashQuery();
  const filters = {
    q: hq.q || '',
    area: hq.area || '',
    ledger: hq.ledger || '',
    status: statusFilters.includes(hq.status) ? hq.status : 'active',
  };
  const offset = Math.max(0, parseInt(hq.offset, 10) || 0);
  const [text, setText] = useState(filters.q);
  const [showForm, setShowForm] = useState(false);
  const [flash, setFlash] = useState(null);
  const [version, setVersion] = useState(0);
  const catalogue = useLedgerCatalogue();
  const writer = canWritePeople(user);

  // The box follows the hash when it changes from outside (back, a link);
  // not on mount, where it would undo what was typed before effects ran.
  const lastQ = useRef(filters.q);
  useEffect(() => {
    if (lastQ.current !== filters.q) {
      lastQ.current = filters.q;
      setText(filters.q);
    }
  }, [filters.q]);

  const apiParams = filters;
  const res = useLoad(
    () => get(`/api/v1/residents${query({ ...apiParams, limit: PAGE_SIZE + 1, offset })}`),
    [filters.q, filters.area, filters.ledger, filters.status, offset, version],
  );
  const all = (res.data && res.data.items) || [];
  const items = all.slice(0, PAGE_SIZE);
  const more = all.length > PAGE_SIZE;

  function go(next) {
    const f = { ...filters, ...next };
    if (f.status === 'active') f.status = ''; // the default stays out of the address
    navigate(withQuery('/residents', f));
  }

  function submit(e) {
    e.preventDefault();
    const q = text.trim();
    if (q === filters.q && offset === 0) setVersion((v) => v + 1);
    else go({ q, offset: '' });
  }

  const filtered = filters.q || filters.area || filters.ledger || filters.status !== 'active';

  return (
    <section class="page" aria-labelledby="page-title" data-results={res.ready ? 'ready' : 'loading'} data-q={filters.q}>
      <header class="page-header">
        <h1 id="page-title">{t('residents.title')}</h1>
        {writer && !showForm && (
          <button type="button" class="btn btn-primary" onClick={() => { setFlash(null); setShowForm(true); }}>
            + {t('residents.add')}
          </button>
        )}
      </header>

      <div class="flash" role="status" aria-live="polite">
        {flash && (
          <p class="alert alert-success">
            {t('residents.saved_done', { name: flash.name })}{' '}
            <a href={`#/residents/${flash.id}`}>{t('residents.open_profile')}</a>
          </p>
        )}
      </div>

      {showForm && (
        <ResidentForm
          mode="add"
          catalogue={catalogue}
          defaultArea={filters.area}
          onDone={(r) => {
            setShowForm(false);
            setFlash(r);
            setVersion((v) => v + 1);
          }}
          onCancel={() => setShowForm(false)}
        />
      )}

      <form class="search-panel panel" role="search" onSubmit={submit} aria-label={t('residents.search')}>
        <div class="search-row">
          <label class="sr-only" for="res-q">{t('residents.search')}</label>
          <input id="res-q" type="search" class="search-input" value={text}
            placeholder={t('residents.search_placeholder')} aria-describedby="res-q-hint"
            onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit" class="btn btn-primary">{t('residents.search_button')}</button>
        </div>
        <p id="res-q-hint" class="field-hint">{t('residents.search_hint')}</p>
        <div class="filter-row">
          <AreaPicker id="res-area" label={t('residents.f_area')} compact value={filters.area}
            placeholder={t('residents.f_area_placeholder')}
            onChange={(code) => go({ area: code, offset: '' })} />
          <div class="field field-compact">
            <label class="field-label" for="res-ledger">{t('residents.f_ledger')}</label>
            <select id="res-ledger" value={filters.ledger} onChange={(e) => go({ ledger: e.currentTarget.value, offset: '' })}>
              <option value="">{t('residents.any_ledger')}</option>
              {catalogue.map((l) => <option key={l.name} value={l.name}>{lang === 'en' ? l.en : l.zh}</option>)}
              {filters.ledger && !catalogue.some((l) => l.name === filters.ledger) && (
                <option value={filters.ledger}>{filters.ledger}</option>
              )}
            </select>
          </div>
          <div class="field field-compact">
            <label class="field-label" for="res-status">{t('residents.f_status')}</label>
            <select id="res-status" value={filters.status} onChange={(e) => go({ status: e.currentTarget.value, offset: '' })}>
              {statusFilters.map((s) => <option key={s} value={s}>{t(`rstatus.${s}`)}</option>)}
            </select>
          </div>
        </div>
      </form>

      <div class="toolbar results-bar">
        <span class="muted" data-testid="residents-count" aria-live="polite">
          {res.data && !res.loading && (items.length === 0 ? '' : t(more || offset ? 'residents.showing_page' : 'residents.showing', {
            n: items.length, from: offset + 1, to: offset + items.length,
          }))}
        </span>
        {items.length > 0 && <ExportLinks params={apiParams} name={filters.ledger || 'residents'} user={user} />}
      </div>
      {res.data && res.data.masked_reason === 'whole_scope' && items.length > 0 && (
        <p class="alert alert-info" data-testid="residents-masked-note">{t('residents.masked_whole_scope')}</p>
      )}

      <ResidentTable items={items} catalogue={catalogue} res={res}
        empty={filtered ? t('residents.empty_filter') : t('residents.empty')}
        onRetry={() => setVersion((v) => v + 1)}
        pager={{
          offset, limit: PAGE_SIZE, more,
          onPage: (o) => {
            go({ offset: o || '' });
            window.scrollTo(0, 0);
          },
        }} />
    </section>
  );
}

/** "1号楼 · 3单元 · 502" from the parts there are. */
export function addressOf(r) {
  return [r.household, r.unit, r.room].filter(Boolean).join(' · ');
}

function ResidentTable({ items, catalogue, res, empty, onRetry, pager }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  return (
    <DataTable
      class="residents-table"
      caption={t('residents.results')}
      rows={items}
      rowKey={(r) => r.id}
      rowProps={(r) => ({ 'data-resident-id': r.id, class: r.status !== 'active' ? 'row-disabled' : '' })}
      loading={res.loading}
      error={res.error}
      onRetry={onRetry}
      loadingText={t('residents.loading')}
      empty={res.data ? empty : null}
      truncated={res.data && res.data.truncated}
      pager={pager}
      columns={[
        {
          key: 'name', label: t('resident.name'), head: true,
          render: (r) => (
            <span>
              <a href={`#/residents/${r.id}`} class="strong-link">{r.name}</a>
              <span class="muted small d-block">
                {t(`sex.${r.sex === 'F' ? 'f' : 'm'}`)} · {r.birth_date}
              </span>
            </span>
          ),
        },
        { key: 'id', label: t('resident.id_number'), class: 'mono', render: (r) => <span data-testid="id-number">{r.id_number}</span> },
        { key: 'phone', label: t('resident.phone'), class: 'mono', render: (r) => <Phone value={r.phone} testid="phone" /> },
        {
          key: 'area', label: t('resident.area'),
          render: (r) => {
            const addr = addressOf(r);
            return (
              <span>
                {r.area ? r.area.name : '—'}
                {addr && <span class="muted small d-block">{addr}</span>}
              </span>
            );
          },
        },
        {
          key: 'type', label: t('resident.type_status'),
          render: (r) => (
            <span class="badges">
              <span class={`badge ${r.resident_type === 'floating' ? 'badge-warn' : 'badge-plain'}`}>
                {t(`rtype.${r.resident_type}`)}
              </span>
              <span class={`badge badge-${r.status === 'active' ? 'on' : 'off'}`} data-testid="resident-status">
                {t(`rstatus.${r.status}`)}
              </span>
            </span>
          ),
        },
        {
          key: 'ledgers', label: t('resident.ledgers'),
          render: (r) => {
            // Until the catalogue has arrived its names are unknown: show no
            // ledger codes in their place (whoever reads people reads it too).
            const tags = catalogue.length ? splitTags(r.tags) : [];
            return tags.length === 0 ? <span class="muted">—</span> : (
              <span class="tag-list">
                {tags.map((n) => <span key={n} class="tag tag-ledger">{ledgerName(catalogue, n, lang)}</span>)}
              </span>
            );
          },
        },
      ]}
    />
  );
}

/** The values a correction form starts from: what the server shows (masked where it masks). */
function shownValues(resident, types) {
  return {
    id_number: resident.id_number,
    name: resident.name,
    phone: resident.phone || '',
    area_code: resident.area ? resident.area.code : '',
    household: resident.household || '',
    unit: resident.unit || '',
    room: resident.room || '',
    resident_type: resident.resident_type || types[0],
    tags: [],
  };
}

/**
 * The fields of a correction that differ from what was shown, or a
 * [field, text] failure. A masked value left as shown is no change: only
 * changing the ID number or phone itself needs it typed in full.
 */
function changedFields(shown, v, t) {
  const body = {};
  const idn = v.id_number.trim().toUpperCase();
  if (idn !== shown.id_number.toUpperCase()) {
    if (idn.includes('*') || idn.length !== 18) return { fail: ['id_number', t('resident.fix_id_full')] };
    body.id_number = idn;
  }
  const phone = v.phone.trim();
  if (phone !== shown.phone) {
    if (phone.includes('*')) return { fail: ['phone', t('resident.fix_phone_full')] };
    body.phone = phone;
  }
  for (const k of ['name', 'area_code', 'household', 'unit', 'room', 'resident_type']) {
    const x = typeof v[k] === 'string' ? v[k].trim() : v[k];
    if (x !== shown[k]) body[k] = x;
  }
  return { body };
}

/**
 * What registering an existing number answers: who has it (masked), that
 * nothing changed, and the way to that person's record for a correction.
 */
function TakenNotice({ resident, onBack }) {
  const { t } = useI18n();
  return (
    <div class="alert alert-info" role="alert" data-testid="taken-notice" data-resident-id={resident.id}>
      <p class="strong">{t('residents.taken_title')}</p>
      <p>
        {t('residents.taken_text', {
          id_number: resident.id_number, name: resident.name, area: resident.area ? resident.area.name : '—',
        })}
      </p>
      <p>{t('residents.taken_question')}</p>
      <p class="form-actions">
        <a class="btn btn-primary" href={`#/residents/${resident.id}?fix=1`}>{t('residents.taken_fix')}</a>
        <a class="btn" href={`#/residents/${resident.id}`}>{t('residents.taken_open')}</a>
        <button type="button" class="btn" onClick={onBack}>{t('residents.taken_back')}</button>
      </p>
    </div>
  );
}

/**
 * Registers a resident (mode "add", POST /api/v1/residents) or corrects one
 * (mode "correct", given `resident`: PATCH on its URL with only the fields
 * that changed). Registering never corrects: a number already registered in
 * scope is answered with that person, and changing them is an explicit
 * correction on their record; one registered elsewhere says whom to ask.
 */
export function ResidentForm({ mode, resident, catalogue, defaultArea, onDone, onCancel }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const { codes } = useMeta();
  const types = codes('resident_types');
  const correcting = mode === 'correct';
  const idMasked = correcting && resident.id_number.includes('*');
  const phoneMasked = correcting && !!resident.phone && resident.phone.includes('*');
  const p = correcting ? 'fix' : 'add';
  const first = useRef(null);
  const [taken, setTaken] = useState(null);
  useEffect(() => { if (first.current) first.current.focus(); }, []);

  const form = useForm({
    id: p,
    initial: () => (correcting ? shownValues(resident, types) : {
      id_number: '', name: '', phone: '', area_code: defaultArea || '', household: '', unit: '', room: '',
      resident_type: types[0], tags: [],
    }),
    fields: ['id_number', 'name', 'phone', 'area_code', 'household', 'unit', 'room', 'resident_type', 'tags'],
    async onSubmit(v, f) {
      setTaken(null);
      if (!v.area_code) return f.fail('area_code', t('error.missing_field'));
      if (correcting) {
        const { body, fail } = changedFields(shownValues(resident, types), v, t);
        if (fail) return f.fail(...fail);
        if (Object.keys(body).length === 0) return f.fail(null, t('resident.fix_nothing'));
        return onDone(await patch(`/api/v1/residents/${resident.id}`, body));
      }
      const body = {
        id_number: v.id_number.trim().toUpperCase(), name: v.name.trim(), area_code: v.area_code, resident_type: v.resident_type,
      };
      for (const k of ['phone', 'household', 'unit', 'room']) body[k] = v[k].trim();
      if (v.tags.length) body.tags = v.tags.join(';');
      try {
        return onDone(await post('/api/v1/residents', body));
      } catch (err) {
        if (err.code !== 'already_exists' || err.field !== 'id_number') throw err;
        if (err.body && err.body.resident) return setTaken(err.body.resident);
        return f.fail('id_number', t('residents.id_elsewhere'));
      }
    },
  });
  const { values: v, errors } = form;
  const idInput = form.input('id_number');
  const onIdInput = (e) => { setTaken(null); idInput.onInput(e); };

  const title = correcting ? t('resident.fix_title', { name: resident.name }) : t('residents.add_title');
  const tagsBox = !correcting && catalogue.length > 0 && (
    <fieldset class="field check-grid" aria-describedby={errors.tags ? `${p}-tags-error` : undefined}>
      <legend class="field-label">{t('resident.ledgers')}</legend>
      {catalogue.map((l, i) => (
        <label key={l.name} class="check">
          <input type="checkbox" id={i === 0 ? `${p}-tags` : undefined} value={l.name}
            checked={v.tags.includes(l.name)}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              form.setValue('tags', on ? [...v.tags, l.name] : v.tags.filter((n) => n !== l.name));
            }} />
          {lang === 'en' ? l.en : l.zh}
        </label>
      ))}
      {errors.tags && <p id={`${p}-tags-error`} class="field-error">{errors.tags}</p>}
    </fieldset>
  );
  return (
    <FormPanel form={form} testid={`${p}-form`} title={title} onCancel={onCancel}
      submitLabel={correcting ? t('resident.fix_submit') : t('residents.add_submit')}
      intro={correcting ? (
        <p class="alert alert-info">{idMasked || phoneMasked ? t('resident.fix_intro_masked') : t('resident.fix_intro')}</p>
      ) : taken && (
        <TakenNotice resident={taken} onBack={() => { setTaken(null); if (first.current) first.current.focus(); }} />
      )}
      after={tagsBox}>
      <Field {...form.field('id_number')} label={t('resident.id_number')} required
        hint={idMasked ? t('resident.fix_id_hint', { masked: resident.id_number }) : t('residents.f_id_hint')}>
        {(a) => (
          <input {...a} {...idInput} onInput={onIdInput} onChange={onIdInput} ref={first} required autocomplete="off"
            spellcheck={false} inputmode="text" maxLength={18} class="mono" />
        )}
      </Field>
      <Field {...form.field('name')} label={t('resident.name')} required>
        {(a) => <input {...a} {...form.input('name')} required autocomplete="off" />}
      </Field>
      <Field {...form.field('phone')} label={t('resident.phone')}
        hint={phoneMasked ? t('resident.fix_phone_hint', { masked: resident.phone }) : t('residents.f_phone_hint')}>
        {(a) => (
          <input {...a} {...form.input('phone')} type="tel" inputmode="numeric" autocomplete="off" maxLength={11} />
        )}
      </Field>
      <AreaPicker {...form.field('area_code')} label={t('resident.area')} required
        hint={t('residents.f_area_hint')} levels={codes('resident_levels')} value={v.area_code}
        onChange={(code) => form.setValue('area_code', code)} />
      <Field {...form.field('household')} label={t('resident.household')}>
        {(a) => <input {...a} {...form.input('household')} autocomplete="off" />}
      </Field>
      <Field {...form.field('unit')} label={t('resident.unit')}>
        {(a) => <input {...a} {...form.input('unit')} autocomplete="off" />}
      </Field>
      <Field {...form.field('room')} label={t('resident.room')}>
        {(a) => <input {...a} {...form.input('room')} autocomplete="off" />}
      </Field>
      <fieldset class="field radio-group" aria-describedby={errors.resident_type ? `${p}-resident_type-error` : undefined}>
        <legend class="field-label">{t('resident.type')}</legend>
        {types.map((rt, i) => (
          <label key={rt} class="check">
            <input type="radio" name={`${p}-resident_type`} id={i === 0 ? `${p}-resident_type` : undefined}
              value={rt} checked={v.resident_type === rt} onChange={() => form.setValue('resident_type', rt)} />
            {t(`rtype.${rt}`)}
          </label>
        ))}
        {errors.resident_type && <p id={`${p}-resident_type-error`} class="field-error">{errors.resident_type}</p>}
      </fieldset>
    </FormPanel>
  );
}
