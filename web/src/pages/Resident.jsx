// A resident's profile (#/residents/:id): the details as the server shows
// them to this role (masked ID number and phone for most), the ledgers the
// resident is on, the status (moved out, deceased, active again), corrections
// (only the fields changed, so masked numbers need no retyping), and the
// history of every change.
import { useState } from 'preact/hooks';
import { del, get, patch, request } from '../api.js';
import { canWritePeople, splitTags } from '../components/access.js';
import { ConfirmDialog } from '../components/ConfirmDialog.jsx';
import { Field } from '../components/Field.jsx';
import { FormPanel, useForm } from '../components/form.jsx';
import { DateInput } from '../components/inputs.jsx';
import { useHashQuery, useLoad } from '../components/hooks.js';
import { Empty, ErrorAlert, Flash, Loading } from '../components/States.jsx';
import { errorText, fieldErrorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
import {
  ResidentForm, addressOf, ledgerName, useLedgerCatalogue,
} from './Residents.jsx';

const HISTORY_FIELDS = ['id_number', 'name', 'phone', 'area', 'household', 'unit', 'room', 'resident_type', 'status', 'note'];

export function ResidentPage({ user, params }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = params.id;
  const writer = canWritePeople(user);
  const [version, setVersion] = useState(0);
  const [flash, setFlash] = useState('');
  // #/residents/:id?fix=1 (from a registration that found this person)
  // opens the correction form at once; it is still an explicit save.
  const hq = useHashQuery();
  const [fixing, setFixing] = useState(writer && hq.fix === '1');
  const catalogue = useLedgerCatalogue();
  const bump = () => setVersion((v) => v + 1);

  const res = useLoad(() => get(`/api/v1/residents/${encodeURIComponent(id)}`), [id, version]);
  const hist = useLoad(() => get(`/api/v1/residents/${encodeURIComponent(id)}/history`), [id, version]);
  const r = res.data;

  if (!r) {
    return (
      <section class="page" aria-labelledby="page-title">
        <p><a href="#/residents" class="back-link">‹ {t('resident.back')}</a></p>
        <h1 id="page-title">{t('resident.title')}</h1>
        {res.loading ? <Loading text={t('resident.loading')} /> : <ErrorAlert error={res.error} onRetry={bump} />}
      </section>
    );
  }

  const addr = addressOf(r);
  return (
    <section class="page resident-page" aria-labelledby="page-title" data-resident-id={r.id}>
      <p><a href="#/residents" class="back-link">‹ {t('resident.back')}</a></p>
      <header class="page-header">
        <h1 id="page-title">
          {r.name}
          <span class={`badge badge-${r.status === 'active' ? 'on' : 'off'}`} data-testid="profile-status">
            {t(`rstatus.${r.status}`)}
          </span>
        </h1>
        {writer && !fixing && (
          <button type="button" class="btn" onClick={() => { setFlash(''); setFixing(true); }}>
            {t('resident.fix')}
          </button>
        )}
      </header>

      <Flash text={flash} />
      <ErrorAlert error={res.error} onRetry={bump} />

      {fixing && (
        <ResidentForm
          mode="correct"
          resident={r}
          catalogue={catalogue}
          onDone={() => {
            setFixing(false);
            setFlash(t('resident.fixed_done'));
            bump();
          }}
          onCancel={() => setFixing(false)}
        />
      )}

      <dl class="detail-grid" data-testid="profile-details">
        <div class="wide"><dt>{t('resident.id_number')}</dt><dd class="mono" data-testid="profile-id-number">{r.id_number}</dd></div>
        <div><dt>{t('resident.sex')}</dt><dd>{t(`sex.${r.sex === 'F' ? 'f' : 'm'}`)}</dd></div>
        <div><dt>{t('resident.birth_date')}</dt><dd>{r.birth_date}</dd></div>
        <div>
          <dt>{t('resident.phone')}</dt>
          <dd class="mono" data-testid="profile-phone">
            {!r.phone ? '—' : r.phone.includes('*') ? r.phone : <a href={`tel:${r.phone}`}>{r.phone}</a>}
          </dd>
        </div>
        <div>
          <dt>{t('resident.area')}</dt>
          <dd>{r.area ? <a href={`#/areas/${encodeURIComponent(r.area.code)}`}>{r.area.name}</a> : '—'}</dd>
        </div>
        <div><dt>{t('resident.address')}</dt><dd>{addr || '—'}</dd></div>
        <div><dt>{t('resident.type')}</dt><dd>{t(`rtype.${r.resident_type === 'floating' ? 'floating' : 'permanent'}`)}</dd></div>
        <div><dt>{t('resident.updated')}</dt><dd>{i18n.formatTime(r.updated_at)}</dd></div>
      </dl>
      {(r.id_number.includes('*') || (r.phone && r.phone.includes('*'))) && (
        <p class="muted small">{t('resident.masked_note')}</p>
      )}

      <div class="profile-grid">
        <LedgersPanel resident={r} catalogue={catalogue} writer={writer}
          onChanged={(text) => { setFlash(text); bump(); }} />
        {writer && (
          <StatusPanel key={r.status} resident={r} onChanged={(text) => { setFlash(text); bump(); }} />
        )}
      </div>

      <section class="block" aria-labelledby="history-title">
        <h2 id="history-title">{t('history.title')}</h2>
        {hist.loading && !hist.data && <Loading />}
        <ErrorAlert error={hist.error} onRetry={bump} />
        {hist.data && <Timeline items={hist.data.items || []} />}
      </section>
    </section>
  );
}

function LedgersPanel({ resident, catalogue, writer, onChanged }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const on = splitTags(resident.tags);
  const [confirm, setConfirm] = useState(null);
  const name = (n) => ledgerName(catalogue, n, lang);
  const empty = { ledger: '', start_date: '', end_date: '', note: '' };
  const form = useForm({
    id: 'le',
    initial: empty,
    fields: ['ledger', 'start_date', 'end_date', 'note'],
    async onSubmit(v, f) {
      if (!v.ledger) return f.fail('ledger', t('error.missing_field'));
      if (v.start_date && v.end_date && v.end_date < v.start_date) {
        return f.fail('end_date', t('ledger_entry.end_before_start'));
      }
      const body = {};
      for (const k of ['start_date', 'end_date', 'note']) if (v[k].trim()) body[k] = v[k].trim();
      await request('PUT', `/api/v1/residents/${resident.id}/ledgers/${encodeURIComponent(v.ledger)}`, body);
      const was = on.includes(v.ledger);
      f.setValues(empty);
      return onChanged(t(was ? 'ledger_entry.updated_done' : 'ledger_entry.added_done', { ledger: name(v.ledger) }));
    },
  });
  const v = form.values;

  async function remove() {
    setConfirm({ ...confirm, busy: true, error: null });
    try {
      await del(`/api/v1/residents/${resident.id}/ledgers/${encodeURIComponent(confirm.ledger)}`);
      setConfirm(null);
      onChanged(t('ledger_entry.removed_done', { ledger: name(confirm.ledger) }));
    } catch (err) {
      setConfirm({ ...confirm, busy: false, error: errorText(i18n, err) });
    }
  }

  return (
    <section class="block" aria-labelledby="res-ledgers-title" data-testid="profile-ledgers">
      <h2 id="res-ledgers-title">{t('resident.ledgers')}</h2>
      {on.length === 0 ? <Empty>{t('ledger_entry.none')}</Empty> : (
        <ul class="chip-list">
          {on.map((n) => (
            <li key={n} class="chip chip-ledger" data-ledger={n}>
              <a href={`#/residents?ledger=${encodeURIComponent(n)}`}>{name(n)}</a>
              {writer && (
                <button type="button" class="chip-remove" aria-label={t('ledger_entry.remove_label', { ledger: name(n) })}
                  onClick={() => setConfirm({ ledger: n })}>
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {writer && (
        <FormPanel form={form} sub tight title={t('ledger_entry.put_title')}
          submitLabel={on.includes(v.ledger) ? t('ledger_entry.update') : t('ledger_entry.put')}
          after={<p class="field-hint">{t('ledger_entry.hint')}</p>}>
          <Field {...form.field('ledger')} label={t('ledger_entry.ledger')} required>
            {(a) => (
              <select {...a} {...form.input('ledger')} required>
                <option value="" disabled>{t('ledger_entry.choose')}</option>
                {catalogue.map((l) => (
                  <option key={l.name} value={l.name}>
                    {lang === 'en' ? l.en : l.zh}{on.includes(l.name) ? ` ✓` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field {...form.field('start_date')} label={t('ledger_entry.start_date')}>
            {(a) => <DateInput {...a} {...form.input('start_date')} />}
          </Field>
          <Field {...form.field('end_date')} label={t('ledger_entry.end_date')}>
            {(a) => <DateInput {...a} {...form.input('end_date')} />}
          </Field>
          <Field {...form.field('note')} label={t('ledger_entry.note')}>
            {(a) => <input {...a} {...form.input('note')} maxLength={500} autocomplete="off" />}
          </Field>
        </FormPanel>
      )}
      {confirm && (
        <ConfirmDialog
          title={t('ledger_entry.remove_title')}
          text={t('ledger_entry.remove_confirm', { name: resident.name, ledger: name(confirm.ledger) })}
          confirmLabel={t('ledger_entry.remove')}
          danger
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={remove}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

function StatusPanel({ resident, onChanged }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { codes } = useMeta();
  const choices = codes('resident_statuses').filter((s) => s !== resident.status);
  const [status, setStatus] = useState(choices[0]);
  const [note, setNote] = useState('');
  const [confirm, setConfirm] = useState(null);
  const [errors, setErrors] = useState({});

  async function apply() {
    setConfirm({ ...confirm, busy: true, error: null });
    try {
      const body = { status };
      if (note.trim()) body.note = note.trim();
      await patch(`/api/v1/residents/${resident.id}`, body);
      setConfirm(null);
      setNote('');
      onChanged(t('status_change.done', { name: resident.name, status: t(`rstatus.${status}`) }));
    } catch (err) {
      if (err.field === 'note' || err.field === 'status') {
        setConfirm(null);
        setErrors({ [err.field]: fieldErrorText(i18n, err) });
      } else {
        setConfirm({ ...confirm, busy: false, error: errorText(i18n, err) });
      }
    }
  }

  // The panel is keyed by the resident's status, so the choices are fresh after a change.
  const current = status;

  return (
    <section class="block" aria-labelledby="status-title" data-testid="status-panel">
      <h2 id="status-title">{t('status_change.title')}</h2>
      <p class="muted small">{t('status_change.current', { status: t(`rstatus.${resident.status}`) })}</p>
      <form class="subpanel" onSubmit={(e) => { e.preventDefault(); setErrors({}); setConfirm({}); }}>
        <Field id="st-status" label={t('status_change.new')} error={errors.status} required>
          {(a) => (
            <select {...a} value={current} onChange={(e) => setStatus(e.currentTarget.value)}>
              {choices.map((s) => <option key={s} value={s}>{t(`rstatus.${s}`)}</option>)}
            </select>
          )}
        </Field>
        <Field id="st-note" label={t('status_change.note')} hint={t('status_change.note_hint')} error={errors.note}>
          {(a) => <textarea {...a} rows={2} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
        </Field>
        <div class="form-actions">
          <button type="submit" class={`btn ${current === 'active' ? 'btn-primary' : 'btn-danger-outline'}`}>
            {t('status_change.submit', { status: t(`rstatus.${current}`) })}
          </button>
        </div>
      </form>
      {confirm && (
        <ConfirmDialog
          title={t('status_change.confirm_title')}
          text={note.trim()
            ? t('status_change.confirm_note', { name: resident.name, status: t(`rstatus.${current}`), note: note.trim() })
            : t('status_change.confirm', { name: resident.name, status: t(`rstatus.${current}`) })}
          confirmLabel={t('status_change.submit', { status: t(`rstatus.${current}`) })}
          danger={current !== 'active'}
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={apply}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

/** Changes made in one go (same time, same actor) shown as one event, newest first. */
function Timeline({ items }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (items.length === 0) return <Empty>{t('history.empty')}</Empty>;
  const events = [];
  for (const c of items) {
    const last = events[events.length - 1];
    if (last && last.at === c.at && last.actor === c.actor) last.changes.push(c);
    else events.push({ at: c.at, actor: c.actor, changes: [c] });
  }
  events.reverse();
  const value = (field, v) => {
    if (v === null || v === undefined || v === '') return <span class="muted">{t('history.blank')}</span>;
    if (field === 'status') return t(`rstatus.${v}`);
    if (field === 'resident_type') return t(`rtype.${v === 'floating' ? 'floating' : 'permanent'}`);
    return v;
  };
  const fieldName = (f) => (HISTORY_FIELDS.includes(f) ? t(`history.f_${f}`) : f);
  return (
    <ol class="timeline" data-testid="history">
      {events.map((ev) => (
        <li key={`${ev.at}-${ev.actor}-${ev.changes.length}`} class="timeline-item">
          <p class="timeline-head">
            <time dateTime={new Date(ev.at * 1000).toISOString()}>{i18n.formatTime(ev.at)}</time>
            <span class="timeline-actor">{t('history.by', { actor: ev.actor })}</span>
          </p>
          <ul class="timeline-changes">
            {ev.changes.map((c, i) => (
              <li key={i} data-field={c.field}>
                {c.field === 'note' ? (
                  <><span class="change-field">{fieldName('note')}</span> {c.new}</>
                ) : (
                  <>
                    <span class="change-field">{fieldName(c.field)}</span>{' '}
                    <span class="change-old">{value(c.field, c.old)}</span>
                    <span class="change-arrow" aria-label={t('history.to')}> → </span>
                    <span class="change-new">{value(c.field, c.new)}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
