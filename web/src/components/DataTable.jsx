// The one table of the UI: columns, the loading, empty and error states, the
// pager, and a note when the server says it cut the list short (`truncated`
// in its answer), so that no page shows a partial list as if it were whole.
// On a phone each row folds into a card whose cells carry their column's
// label (data-label, see app.css).
import { useI18n } from '../i18n.jsx';
import { Pager } from './Pager.jsx';
import { Empty, ErrorAlert, Loading } from './States.jsx';

/**
 * columns    [{ key, label, render(row), head (the row's header cell), class,
 *              hideLabel (an actions column: label for screen readers only) }]
 * rows       the rows shown; rowKey(row) and rowProps(row) (extra <tr> attributes)
 * loading, error, onRetry, loadingText, empty (text when there are no rows)
 * caption    the table's name for screen readers; class: the table's class
 * truncated  the server cut the list: a note says so under the table
 * total      how many rows the whole list has (when the server says): shown
 *            above the table, so that a list always states its size
 * pager      { offset, limit, more, onPage } for a list that pages
 */
export function DataTable({
  columns, rows, rowKey, rowProps, loading, error, onRetry, loadingText, empty, caption,
  class: cls = '', truncated, pager, total,
}) {
  const { t } = useI18n();
  const list = rows || [];
  return (
    <>
      <ErrorAlert error={error} onRetry={onRetry} />
      {loading && list.length === 0 && !error && <Loading text={loadingText} />}
      {!loading && !error && list.length === 0 && empty && <Empty>{empty}</Empty>}
      {typeof total === 'number' && list.length > 0 && (
        <p class="table-total" data-testid="table-total">{t('table.total', { n: total.toLocaleString('en-US') })}</p>
      )}
      {list.length > 0 && (
        <div class={`table-wrap${loading ? ' is-stale' : ''}`} aria-busy={loading ? 'true' : 'false'}>
          <table class={`data-table ${cls}`}>
            {caption && <caption class="sr-only">{caption}</caption>}
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} scope="col" class={c.class}>
                    {c.hideLabel ? <span class="sr-only">{c.label}</span> : c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.map((row) => (
                <tr key={rowKey(row)} {...(rowProps ? rowProps(row) : {})}>
                  {columns.map((c) => {
                    const Cell = c.head ? 'th' : 'td';
                    return (
                      <Cell key={c.key} scope={c.head ? 'row' : undefined}
                        data-label={c.hideLabel ? undefined : c.label}
                        class={c.hideLabel ? `actions ${c.class || ''}`.trim() : c.class}>
                        {c.render(row)}
                      </Cell>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {truncated && list.length > 0 && (
        <p class="alert alert-info table-truncated" role="status" data-testid="table-truncated">
          {t('table.truncated', { n: list.length })}
        </p>
      )}
      {pager && (
        <Pager offset={pager.offset} limit={pager.limit} shown={list.length} more={pager.more} onPage={pager.onPage} />
      )}
    </>
  );
}
