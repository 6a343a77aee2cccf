import { errorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';

/** "Loading…" with a spinner, announced politely. */
export function Loading({ text }) {
  const { t } = useI18n();
  return (
    <p class="state state-loading" role="status">
      <span class="spinner" aria-hidden="true" /> {text || t('common.loading')}
    </p>
  );
}

/** Nothing to show. */
export function Empty({ children }) {
  return <p class="state state-empty">{children}</p>;
}

/** An API error above a block, with a retry button when `onRetry` is given. */
export function ErrorAlert({ error, onRetry }) {
  const i18n = useI18n();
  if (!error) return null;
  return (
    <div class="alert alert-error alert-row" role="alert" data-error-code={error.code}>
      <span>{errorText(i18n, error)}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>{i18n.t('common.retry')}</button>
      )}
    </div>
  );
}

/** A success or info line that screen readers announce. */
export function Flash({ text, kind = 'success' }) {
  return (
    <div class="flash" role="status" aria-live="polite">
      {text && <p class={`alert alert-${kind}`}>{text}</p>}
    </div>
  );
}
