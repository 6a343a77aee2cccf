import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n.jsx';

/**
 * A modal confirmation built on <dialog>, which gives focus trapping, Esc to
 * cancel and the backdrop for free. Rendered only while open. Children (a
 * field the confirmation needs, such as an export's purpose) go below the text.
 */
export function ConfirmDialog({ title, text, confirmLabel, danger, busy, error, onConfirm, onCancel, children }) {
  const { t } = useI18n();
  const ref = useRef(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d && d.open) d.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="confirm-title" class="dialog-title">{title}</h2>
      <p id="confirm-text">{text}</p>
      {children}
      {error && <p class="alert alert-error" role="alert">{error}</p>}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={onCancel} disabled={busy}>
          {t('dialog.cancel')}
        </button>
        <button
          type="button"
          class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          onClick={onConfirm}
          disabled={busy}
        >
          {confirmLabel || t('dialog.confirm')}
        </button>
      </div>
    </dialog>
  );
}
