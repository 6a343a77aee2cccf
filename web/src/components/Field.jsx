/**
 * A labelled form field with its hint and its error, tied to the input with
 * aria-describedby so screen readers read them with it. The input is given
 * as a function of the attributes it must carry. A required field shows a
 * star; the input's own `required` attribute tells assistive technology.
 */
export function Field({ id, label, hint, error, required, children }) {
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  const input = children({
    id,
    'aria-describedby': describedBy || undefined,
    'aria-invalid': error ? 'true' : undefined,
  });
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id} class="field-label">
        {label}
        {required && <span class="field-required" aria-hidden="true"> *</span>}
      </label>
      {input}
      {hint && <p id={`${id}-hint`} class="field-hint">{hint}</p>}
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </div>
  );
}
