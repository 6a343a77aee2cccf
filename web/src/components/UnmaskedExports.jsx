// Who exported residents, when, how many, in which format, with full numbers
// or masked, and why: the audit records of exports, refusals included
// (GET /api/v1/audit?action=resident.export, which lists its variant
// resident.export.unmasked too), newest first, for the administrator and the
// command centre (audit.read).
import { get, query } from '../api.js';
import { errorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { DataTable } from './DataTable.jsx';
import { useLoad } from './hooks.js';

/**
 * The parts of an export's audit detail, which the server writes as
 * "format=F q=Q area=A ledger=L results=N[+] purpose=P": the purpose is last
 * because it is free text, and is read from the first " purpose=" after the
 * count.
 */
export function parseExportDetail(detail) {
  const d = detail || '';
  const m = /^format=(\S*) q=(.*?) area=(\S*) ledger=(\S*) ?(?:results=(\d+)(\+?))?(?: purpose=([\s\S]*))?$/.exec(d);
  if (!m) return { format: '', q: '', area: '', ledger: '', count: '', purpose: '' };
  return { format: m[1], q: m[2], area: m[3], ledger: m[4], count: m[5] ? m[5] + m[6] : '', purpose: m[7] || '' };
}

export function UnmaskedExports({ limit = 20 }) {
  const i18n = useI18n();
  const { t } = i18n;
  const res = useLoad(() => get(`/api/v1/audit${query({ action: 'resident.export', limit })}`), [limit]);
  const rows = ((res.data && res.data.items) || []).map((e) => ({ ...e, ...parseExportDetail(e.detail) }));
  const formatName = (f) => (f === 'xlsx' ? 'Excel' : f === 'csv' ? 'CSV' : f);
  return (
    <section aria-labelledby="unmasked-exports-title" data-testid="unmasked-exports" style={{ marginTop: '2rem' }}>
      <h2 id="unmasked-exports-title">{t('exports.title')}</h2>
      <p class="muted">{t('exports.intro')}</p>
      <DataTable
        caption={t('exports.title')}
        rows={rows}
        rowKey={(e) => e.id}
        loading={res.loading}
        error={res.error}
        empty={t('exports.empty')}
        truncated={!!(res.data && res.data.next_before)}
        columns={[
          { key: 'at', label: t('exports.col_time'), class: 'nowrap', render: (e) => i18n.formatTime(e.at) },
          { key: 'actor', label: t('exports.col_user'), render: (e) => e.actor },
          { key: 'format', label: t('exports.col_format'), render: (e) => formatName(e.format) },
          {
            key: 'numbers', label: t('exports.col_numbers'),
            render: (e) => t(e.action === 'resident.export.unmasked' ? 'exports.full' : 'exports.masked'),
          },
          { key: 'count', label: t('exports.col_count'), class: 'num', render: (e) => e.count },
          { key: 'purpose', label: t('exports.col_purpose'), render: (e) => e.purpose },
          {
            key: 'filter', label: t('exports.col_filter'),
            render: (e) => [e.area, e.ledger, e.q].filter(Boolean).join(' · ') || t('exports.whole_scope'),
          },
          {
            key: 'outcome', label: t('exports.col_outcome'),
            render: (e) => (e.outcome === 'ok' ? t('exports.ok') : errorText(i18n, { code: e.outcome, message: e.outcome })),
          },
        ]}
      />
    </section>
  );
}
