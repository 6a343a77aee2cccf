// One case: its fields, its photos, its timeline and the actions the server
// says this user may take now (the answer's `actions`, and no others), each
// with the form it needs. Every action sends the case's `version`: when
// someone else acted first the server answers 409 case_version_conflict,
// the page says so and shows the case as it is now.
import { useRef, useState } from 'preact/hooks';
import { get, post } from '../../api.js';
import { AreaPicker } from '../../components/AreaPicker.jsx';
import { Field } from '../../components/Field.jsx';
import { FormPanel, useForm } from '../../components/form.jsx';
import { useLoad } from '../../components/hooks.js';
import { FileInput } from '../../components/inputs.jsx';
import { ErrorAlert, Loading } from '../../components/States.jsx';
import { errorText } from '../../errors.js';
import { useI18n } from '../../i18n.jsx';
import {
  CardBadge, PhotoPreview, Photos, StateBadge, categoryName, unitName, uploadPhotos, useCaseMeta,
} from './common.jsx';

// Actions that send the case to a unit the user names (escalate finds its
// unit by itself: the level above).
const NEEDS_TO = ['assign', 'copy'];
// A dispute's report_done gives its outcome; agreed needs the agreement.
const OUTCOMES_FALLBACK = ['agreed', 'court', 'failed'];

export function CasePage({ params }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = params.id;
  const [seen, setSeen] = useState(0);
  const res = useLoad(() => get(`/api/v1/cases/${encodeURIComponent(id)}`), [id, seen]);
  const [acting, setActing] = useState(null);
  const [notice, setNotice] = useState(null);
  // The case as the last action answered it, until the next load.
  const [fresh, setFresh] = useState(null);
  const c = fresh && String(fresh.id) === String(id) ? fresh : res.data;

  const reload = () => { setFresh(null); setSeen((n) => n + 1); };

  if (!c) {
    return (
      <section class="page" aria-labelledby="page-title">
        <h1 id="page-title">{t('case.title', { id })}</h1>
        {res.error ? <ErrorAlert error={res.error} onRetry={reload} /> : <Loading />}
      </section>
    );
  }

  return (
    <section class="page case-page" aria-labelledby="page-title" data-state={c.state} data-version={c.version}
      data-testid="case-page">
      <p class="back-link no-print"><a href="#/cases">‹ {t('cases.back_list')}</a></p>
      <header class="page-header case-header">
        <h1 id="page-title"><span class="mono muted">#{c.id}</span> {c.title}</h1>
        <p class="case-badges">
          <StateBadge state={c.state} /> <CardBadge card={c.card} />
        </p>
      </header>
      <div class="flash" role="status" aria-live="polite">
        {notice && <p class={`alert alert-${notice.kind}`} data-testid="case-notice">{notice.text}</p>}
      </div>
      <Actions c={c} acting={acting} setActing={(a) => { setNotice(null); setActing(a); }}
        onDone={(next, action) => {
          setActing(null);
          setFresh(next);
          setNotice({ kind: 'success', text: t('case.acted', { action: action.name }) });
        }}
        onConflict={async (err) => {
          // The case moved under the user (a stale version, or an action
          // that its new state no longer has): show it as it is now.
          setActing(null);
          let now = null;
          try {
            now = await get(`/api/v1/cases/${encodeURIComponent(id)}`);
          } catch (_) {
            reload();
          }
          const moved = err.code === 'case_version_conflict' || (now && now.version !== c.version);
          setNotice({ kind: 'error', text: moved ? t('case.conflict') : errorText(i18n, err) });
          if (now) setFresh(now);
        }} />
      <div class="case-columns">
        <CaseFields c={c} />
        <section class="panel case-timeline" aria-labelledby="case-timeline-title">
          <h2 id="case-timeline-title" class="panel-title">{t('case.timeline')}</h2>
          <Timeline c={c} />
        </section>
      </div>
    </section>
  );
}

function CaseFields({ c }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const cm = useCaseMeta();
  const own = (c.attachments || []).filter((a) => !a.event_id);
  const rows = [
    ['type', cm.name('case_types', c.type)],
    ['category', c.category && `${cm.name('case_domains', c.category.domain)} · ${categoryName(c.category, lang)}`],
    ['area', unitName(c.area)],
    ['holder', unitName(c.holder)],
    ['from', unitName(c.from)],
    ['reporter', c.reporter],
    ['created', i18n.formatTime(c.created_at)],
    ['accept_due', c.accept_due && i18n.formatTime(c.accept_due)],
    ['finish_due', c.finish_due && i18n.formatTime(c.finish_due)],
    ['closed', c.closed_at && i18n.formatTime(c.closed_at)],
    ['address', c.address],
    ['location', c.location && `${c.location.lat}, ${c.location.lon}`],
    ['contact', [c.contact_name, c.contact_phone].filter(Boolean).join(' · ')],
    ['parties', c.parties],
    ['mediator', c.mediator],
    ['outcome', c.outcome && t(`case.outcome_${c.outcome}`)],
    ['agreement', c.agreement],
    ['person', [c.person_name, c.person_id_number, c.person_phone].filter(Boolean).join(' · ')],
    ['copies', (c.copies || []).map(unitName).join('、')],
  ].filter(([, v]) => v);
  return (
    <section class="panel case-fields" aria-labelledby="case-fields-title">
      <h2 id="case-fields-title" class="panel-title">{t('case.details')}</h2>
      {c.description && <p class="case-description">{c.description}</p>}
      {c.merged_into && (
        <p class="alert alert-info">
          {t('case.merged_into')} <a href={`#/cases/${c.merged_into}`}>#{c.merged_into}</a>
        </p>
      )}
      <dl class="detail-grid case-detail">
        {rows.map(([k, v]) => (
          <div key={k} data-field={k}>
            <dt>{t(`case.f_${k}`)}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {own.length > 0 && (
        <>
          <h3 class="sub-title">{t('case.photos')}</h3>
          <Photos items={own} testid="case-photos" />
        </>
      )}
    </section>
  );
}

function Timeline({ c }) {
  const i18n = useI18n();
  const { t } = i18n;
  const cm = useCaseMeta();
  const events = c.events || [];
  return (
    <ol class="timeline case-events" data-testid="case-timeline">
      {events.map((e) => (
        <li key={e.id} class="timeline-item" data-action={e.action}>
          <p class="timeline-head">
            <time dateTime={new Date(e.at * 1000).toISOString()}>{i18n.formatTime(e.at)}</time>
            <strong class="case-event-action">{cm.name('case_actions', e.action)}</strong>
            <span class="timeline-actor">{e.actor_name || e.actor}</span>
          </p>
          {e.to_state && e.from_state !== e.to_state && (
            <p class="case-event-move muted">
              {e.from_state ? `${cm.name('case_states', e.from_state)} → ` : ''}{cm.name('case_states', e.to_state)}
            </p>
          )}
          {e.unit && unitName(e.unit) && <p class="case-event-unit">{t('case.event_unit', { unit: unitName(e.unit) })}</p>}
          {e.into && <p>{t('case.merged_into')} <a href={`#/cases/${e.into}`}>#{e.into}</a></p>}
          {e.note && <p class="case-event-note">{e.note}</p>}
          <Photos items={e.attachments} />
        </li>
      ))}
    </ol>
  );
}

/** The buttons of the actions the server lists, and the open action's form. */
function Actions({ c, acting, setActing, onDone, onConflict }) {
  const { t } = useI18n();
  const cm = useCaseMeta();
  const actions = c.actions || [];
  if (!actions.length) {
    return <p class="muted case-no-actions" data-testid="case-no-actions">{t('case.no_actions')}</p>;
  }
  return (
    <section class="case-actions" aria-label={t('case.actions')}>
      <div class="case-action-buttons" data-testid="case-actions">
        {actions.map((a) => (
          <button key={a} type="button" data-action={a}
            class={`btn${acting === a ? ' btn-primary' : ''}`}
            aria-expanded={acting === a ? 'true' : 'false'}
            onClick={() => setActing(acting === a ? null : a)}>
            {cm.name('case_actions', a)}
          </button>
        ))}
      </div>
      {acting && actions.includes(acting) && (
        <ActionForm key={acting} c={c} action={acting} onCancel={() => setActing(null)}
          onDone={onDone} onConflict={onConflict} />
      )}
    </section>
  );
}

function ActionForm({ c, action, onCancel, onDone, onConflict }) {
  const i18n = useI18n();
  const { t } = i18n;
  const cm = useCaseMeta();
  const row = cm.transition(action, c.state);
  const needs = (row && row.required) || [];
  const dispute = c.type === 'dispute' && action === 'report_done';
  const outcomes = cm.list('case_outcomes').length ? cm.list('case_outcomes').map((x) => x.code) : OUTCOMES_FALLBACK;
  const [files, setFiles] = useState([]);
  const [toKind, setToKind] = useState('area');
  const fileRef = useRef(null);
  const depts = useLoad(
    () => (NEEDS_TO.includes(action) ? get('/api/v1/departments').catch(() => ({ items: [] })) : null),
    [action],
  );
  const actionName = cm.name('case_actions', action);
  const form = useForm({
    id: `act-${action}`,
    initial: { note: '', to: '', into: '', outcome: '', agreement: '', mediator: c.mediator || '' },
    fields: ['note', 'to', 'into', 'outcome', 'agreement', 'mediator'],
    async onSubmit(v, f) {
      const body = { version: c.version };
      if (v.note.trim()) body.note = v.note.trim();
      if (NEEDS_TO.includes(action)) body.to = v.to;
      if (action === 'merge') {
        const into = parseInt(v.into, 10);
        if (!(into > 0)) {
          f.fail('into', t('error.invalid_field'));
          return;
        }
        body.into = into;
      }
      if (dispute) {
        body.outcome = v.outcome;
        if (v.agreement.trim()) body.agreement = v.agreement.trim();
        if (v.mediator.trim()) body.mediator = v.mediator.trim();
      }
      try {
        if (files.length) body.attachments = (await uploadPhotos(c.id, files)).map((a) => a.id);
        onDone(await post(`/api/v1/cases/${c.id}/actions/${action}`, body), { code: action, name: actionName });
      } catch (err) {
        if (err && (err.code === 'case_version_conflict' || err.code === 'case_action_not_allowed')) {
          onConflict(err);
          return;
        }
        if (err && err.code === 'case_rule') {
          f.fail(null, errorText(i18n, err));
          return;
        }
        throw err;
      }
    },
  });
  const v = form.values;
  const noteRequired = needs.includes('note');
  const noteLabel = ['send_back', 'verify_fail'].includes(action) ? t('case.f_reason')
    : action === 'handle_on_spot' ? t('case.f_evidence') : t('case.f_note');
  const deptItems = (depts.data && depts.data.items) || [];

  return (
    <FormPanel form={form} sub title={actionName} submitLabel={actionName} onCancel={onCancel}
      testid={`action-form-${action}`}
      intro={<p class="field-hint">{t(`case.hint_${action}`)}</p>}>
      {NEEDS_TO.includes(action) && (
        <>
          <div class="field">
            <span class="field-label" id={`act-${action}-tokind`}>{t('case.to_kind')}</span>
            <div class="segmented" role="radiogroup" aria-labelledby={`act-${action}-tokind`}>
              {['area', 'department'].map((k) => (
                <label key={k} class={`segment${toKind === k ? ' on' : ''}`}>
                  <input type="radio" name={`act-${action}-tokind`} value={k} checked={toKind === k}
                    onChange={() => { setToKind(k); form.setValue('to', ''); }} />
                  {t(`case.to_${k}`)}
                </label>
              ))}
            </div>
          </div>
          {toKind === 'area' ? (
            <AreaPicker {...form.field('to')} label={t('case.f_to_area')} required value={v.to}
              onChange={(code) => form.setValue('to', code)} />
          ) : (
            <Field {...form.field('to')} label={t('case.f_to_department')} required>
              {(a) => (
                <select {...a} {...form.input('to')} required>
                  <option value="">{t('case.pick_department')}</option>
                  {deptItems.map((d) => <option key={d.code} value={d.code}>{d.name}</option>)}
                </select>
              )}
            </Field>
          )}
        </>
      )}
      {action === 'merge' && (
        <Field {...form.field('into')} label={t('case.f_into')} required hint={t('case.f_into_hint')}>
          {(a) => <input {...a} {...form.input('into')} inputMode="numeric" required autocomplete="off" />}
        </Field>
      )}
      {dispute && (
        <>
          <Field {...form.field('outcome')} label={t('case.f_outcome')} required>
            {(a) => (
              <select {...a} {...form.input('outcome')} required>
                <option value="">{t('case.pick_outcome')}</option>
                {outcomes.map((o) => <option key={o} value={o}>{t(`case.outcome_${o}`)}</option>)}
              </select>
            )}
          </Field>
          {v.outcome === 'agreed' && (
            <Field {...form.field('agreement')} label={t('case.f_agreement')} required>
              {(a) => <textarea {...a} {...form.input('agreement')} rows={3} maxLength={4000} required />}
            </Field>
          )}
          <Field {...form.field('mediator')} label={t('case.f_mediator')}>
            {(a) => <input {...a} {...form.input('mediator')} maxLength={100} autocomplete="off" />}
          </Field>
        </>
      )}
      <Field {...form.field('note')} label={noteLabel} required={noteRequired}>
        {(a) => <textarea {...a} {...form.input('note')} rows={3} maxLength={2000} required={noteRequired} />}
      </Field>
      {action !== 'merge' && (
        <div class="field case-photo-field">
          <label class="field-label" for={`act-${action}-photos`}>{t('case.f_photos')}</label>
          <FileInput id={`act-${action}-photos`} inputRef={fileRef} accept="image/*" capture="environment" multiple
            onChange={(e) => setFiles([...(e.currentTarget.files || [])])} />
          <PhotoPreview files={files} />
        </div>
      )}
    </FormPanel>
  );
}
