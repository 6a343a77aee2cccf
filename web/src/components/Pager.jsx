import { useI18n } from '../i18n.jsx';

/**
 * Previous / next paging for lists without a total: `more` says whether a
 * next page exists (the page asked for one row more than it shows).
 */
export function Pager({ offset, limit, shown, more, onPage }) {
  const { t } = useI18n();
  if (offset === 0 && !more) return null;
  return (
    <nav class="pager" aria-label={t('paging.label')}>
      <button type="button" class="btn btn-small" disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - limit))}>
        ‹ {t('paging.prev')}
      </button>
      <span class="muted" data-testid="pager-range">
        {t('paging.range', { from: shown ? offset + 1 : offset, to: offset + shown })}
      </span>
      <button type="button" class="btn btn-small" disabled={!more} onClick={() => onPage(offset + limit)}>
        {t('paging.next')} ›
      </button>
    </nav>
  );
}
