import { query } from '../api.js';
import { useI18n } from '../i18n.jsx';

/**
 * "Export CSV" and "Export Excel": plain links to GET /api/v1/residents with
 * the same filters and &format=. The session cookie authenticates a GET, so
 * the browser downloads the file itself; the server exports the whole list
 * the user may see, not one page of it.
 */
export function ExportLinks({ params, name = 'residents' }) {
  const { t } = useI18n();
  const base = { ...params };
  delete base.limit;
  delete base.offset;
  const href = (format) => `/api/v1/residents${query({ ...base, format })}`;
  return (
    <div class="export-links" role="group" aria-label={t('export.label')}>
      <a class="btn btn-small" href={href('csv')} download={`${name}.csv`} data-testid="export-csv">
        ⤓ {t('export.csv')}
      </a>
      <a class="btn btn-small" href={href('xlsx')} download={`${name}.xlsx`} data-testid="export-xlsx">
        ⤓ {t('export.xlsx')}
      </a>
    </div>
  );
}
