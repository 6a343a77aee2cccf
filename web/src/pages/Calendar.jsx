// 工作日历: the working-day calendar that case deadlines and supervision cards
// count in. Everyone on the staff sees the marked days of a year (holidays
// and make-up working days) and may work out a deadline; the centre and the
// administrator (calendar.write) mark and unmark days.
import { useState } from 'preact/hooks';
import { del, get, query, request } from '../api.js';
import { can } from '../components/access.js';
import { ConfirmDialog } from '../components/ConfirmDialog.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { Field } from '../components/Field.jsx';
import { FormPanel, useForm } from '../components/form.jsx';
import { useHashQuery, useLoad, withQuery } from '../components/hooks.js';
import { DateInput } from '../components/inputs.jsx';
import { errorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { navigate } from '../router.js';

const enc = encodeURIComponent;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The weekday of a date "YYYY-MM-DD" (a calendar date: no time zone involved). */
const weekday = (date) => WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];

export function CalendarPage({ user }) {
  const i18n = useI18n();
  const { t } = i18n;
  const hq = useHashQuery();
  const thisYear = new Date().getFullYear();
  const year = /^\d{4}$/.test(hq.year || '') ? Number(hq.year) : thisYear;
  const days = useLoad(() => get(`/api/v1/calendar/days${query({ from: `${year}-01-01`, to: `${year}-12-31` })}`), [year]);
  const mayEdit = can(user, 'calendar.write');
  const [confirm, setConfirm] = useState(null); // { day, busy, error }
  const [flash, setFlash] = useState('');
  const items = (days.data && days.data.items) || [];
  const provisional = items.some((d) => d.updated_by === 'seed-provisional');
  const goYear = (y) => navigate(withQuery('/calendar', { year: String(y) }));

  async function unmark() {
    setConfirm((c) => ({ ...c, busy: true, error: '' }));
    try {
      await del(`/api/v1/calendar/days/${enc(confirm.day.date)}`);
      setFlash(t('calendar.unmarked', { date: confirm.day.date }));
      setConfirm(null);
      days.reload();
    } catch (e) {
      setConfirm((c) => ({ ...c, busy: false, error: errorText(i18n, e) }));
    }
  }

  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('calendar.title')}</h1>
      </header>
      <p class="lead">{t('calendar.intro')}</p>
      <div class="panel" role="group" aria-label={t('calendar.year')}
        style={{ display: 'flex', gap: '12px', alignItems: 'center', flexWrap: 'wrap' }}>
        <button type="button" class="btn btn-small" onClick={() => goYear(year - 1)}
          data-testid="calendar-prev">‹ {year - 1}</button>
        <strong class="calendar-year" data-testid="calendar-year">{t('calendar.year_n', { year })}</strong>
        <button type="button" class="btn btn-small" onClick={() => goYear(year + 1)}
          data-testid="calendar-next">{year + 1} ›</button>
      </div>
      {provisional && <p class="alert alert-info" role="note" data-testid="calendar-provisional">{t('calendar.provisional')}</p>}
      {flash && <p class="alert alert-success" role="status">{flash}</p>}
      <DeadlineForm />
      {mayEdit && <MarkForm year={year} onSaved={(d) => { setFlash(t('calendar.marked', { date: d.date })); days.reload(); }} />}
      <DataTable
        class="calendar-table"
        caption={t('calendar.title')}
        rows={items}
        rowKey={(d) => d.date}
        rowProps={(d) => ({ 'data-date': d.date, 'data-kind': d.kind })}
        loading={days.loading}
        error={days.error}
        onRetry={days.reload}
        loadingText={t('calendar.loading')}
        empty={days.data ? t('calendar.empty', { year }) : null}
        truncated={days.data && days.data.truncated}
        columns={[
          { key: 'date', label: t('calendar.col_date'), head: true, class: 'mono nowrap', render: (d) => d.date },
          { key: 'weekday', label: t('calendar.col_weekday'), class: 'nowrap', render: (d) => t(`calendar.wd_${weekday(d.date)}`) },
          {
            key: 'kind', label: t('calendar.col_kind'), class: 'nowrap',
            render: (d) => (
              <span class={`badge ${d.kind === 'holiday' ? 'badge-warn' : 'badge-on'}`}>
                {t(d.kind === 'holiday' ? 'calendar.kind_holiday' : 'calendar.kind_workday')}
              </span>
            ),
          },
          { key: 'name', label: t('calendar.col_name'), render: (d) => d.name || '—' },
          ...(mayEdit ? [{
            key: 'actions', label: t('calendar.col_actions'), hideLabel: true,
            render: (d) => (
              <button type="button" class="btn btn-small" data-testid="calendar-unmark"
                onClick={() => setConfirm({ day: d, busy: false, error: '' })}>
                {t('calendar.unmark')}
              </button>
            ),
          }] : []),
        ]}
      />
      {confirm && (
        <ConfirmDialog
          title={t('calendar.unmark_title', { date: confirm.day.date })}
          text={t('calendar.unmark_body')}
          confirmLabel={t('calendar.unmark')}
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={unmark}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

/** Marks one day: a holiday or a make-up working day, with its name. */
function MarkForm({ year, onSaved }) {
  const { t } = useI18n();
  const form = useForm({
    id: 'calendar-mark',
    initial: { date: '', kind: 'holiday', name: '' },
    fields: ['date', 'kind', 'name'],
    onSubmit: async (v) => {
      const d = await request('PUT', `/api/v1/calendar/days/${enc(v.date.trim())}`, { kind: v.kind, name: v.name });
      onSaved(d);
    },
  });
  return (
    <FormPanel form={form} title={t('calendar.mark_title')} submitLabel={t('calendar.mark')} tight
      intro={<p class="muted">{t('calendar.mark_intro', { year })}</p>} testid="calendar-mark">
      <Field {...form.field('date')} label={t('calendar.col_date')} required>
        {(a) => <DateInput {...a} {...form.input('date')} required />}
      </Field>
      <Field {...form.field('kind')} label={t('calendar.col_kind')} required>
        {(a) => (
          <select {...a} {...form.input('kind')} required>
            <option value="holiday">{t('calendar.kind_holiday')}</option>
            <option value="workday">{t('calendar.kind_workday')}</option>
          </select>
        )}
      </Field>
      <Field {...form.field('name')} label={t('calendar.col_name')} hint={t('calendar.name_hint')}>
        {(a) => <input {...a} {...form.input('name')} maxLength={64} autocomplete="off" />}
      </Field>
    </FormPanel>
  );
}

/** The local date (Asia/Shanghai, UTC+8) of the last second before `due`: the deadline's last day. */
const lastDay = (due) => new Date((due - 1 + 8 * 3600) * 1000).toISOString().slice(0, 10);

/** Works out when N working days after a date expire, as a case's deadline does. */
function DeadlineForm() {
  const { t } = useI18n();
  const [due, setDue] = useState(null);
  const form = useForm({
    id: 'calendar-deadline',
    initial: { start: '', days: '2' },
    fields: ['start', 'days'],
    onSubmit: async (v) => {
      setDue(await get(`/api/v1/calendar/deadline${query({ start: v.start.trim(), days: v.days.trim() })}`));
    },
  });
  return (
    <FormPanel form={form} title={t('calendar.deadline_title')} submitLabel={t('calendar.deadline_go')} tight
      intro={<p class="muted">{t('calendar.deadline_intro')}</p>} testid="calendar-deadline"
      after={due && (
        <p class="alert alert-info" role="status" data-testid="calendar-due">
          {t('calendar.deadline_result', { days: due.days, last: lastDay(due.due), due: due.due_local.slice(0, 16) })}
        </p>
      )}>
      <Field {...form.field('start')} label={t('calendar.deadline_start')} required>
        {(a) => <DateInput {...a} {...form.input('start')} required />}
      </Field>
      <Field {...form.field('days')} label={t('calendar.deadline_days')} required>
        {(a) => <input {...a} {...form.input('days')} inputmode="numeric" maxLength={4} required />}
      </Field>
    </FormPanel>
  );
}
