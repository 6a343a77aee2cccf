// The one way a page builds a form: useForm keeps the values, the errors
// under fields, the error above the form and the busy flag; FormPanel draws
// the frame (title, that error, the fields, submit and cancel). An API error
// ({"error","message","field"}) lands under its field when the form has one
// by that name (and the field gets the focus), otherwise above the form.
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';

/**
 * useForm({ id, initial, fields, onSubmit }):
 *   id        prefix of the field ids ("user" gives #user-username)
 *   initial   the first values, or a function returning them
 *   fields    names whose server errors are shown under the field
 *   onSubmit  async (values, form) => ...; throw the ApiError to show it, or
 *             call form.fail(field, text) for a check made before sending
 * Returns { id, values, errors, formError, busy, submit, setValue, fail,
 * field(name) for <Field>, input(name) for an <input>/<select>/<textarea> }.
 */
export function useForm({ id, initial, fields = [], onSubmit }) {
  const i18n = useI18n();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);

  const fieldId = (name) => `${id}-${name}`;
  const setValue = (name, value) => {
    setValues((x) => ({ ...x, [name]: value }));
    setErrors((x) => (x[name] ? { ...x, [name]: '' } : x));
  };
  const fail = (name, text) => {
    if (name && fields.includes(name)) {
      setErrors({ [name]: text });
      const el = document.getElementById(fieldId(name));
      if (el) el.focus();
    } else {
      setFormError(text);
    }
  };

  const form = {
    id, values, errors, formError, busy, setValue, fail, setValues,
    field: (name) => ({ id: fieldId(name), error: errors[name] }),
    input: (name) => {
      const on = (e) => setValue(name, e.currentTarget.value);
      return { name, value: values[name], onInput: on, onChange: on };
    },
    async submit(e) {
      if (e) e.preventDefault();
      if (busy) return;
      setErrors({});
      setFormError('');
      setBusy(true);
      try {
        await onSubmit(values, form);
      } catch (err) {
        if (!err || !err.code) throw err; // not an API answer: a bug, let it show
        fail(err.field, fieldErrorText(i18n, err));
      } finally {
        // The form is often gone once its change is done (the page closes it).
        if (alive.current) setBusy(false);
      }
    },
  };
  return form;
}

/**
 * The frame of a form made with useForm. `sub` draws it as a part of a
 * block (h3, no panel), `tight` packs narrower fields in a row; `intro` goes
 * above the fields, `after` below them.
 */
export function FormPanel({
  form, title, intro, after, submitLabel, onCancel, sub, tight, testid, children,
}) {
  const { t } = useI18n();
  const H = sub ? 'h3' : 'h2';
  return (
    <form class={sub ? 'subpanel' : 'panel form-panel'} onSubmit={form.submit}
      aria-labelledby={`${form.id}-title`} data-testid={testid}>
      <H id={`${form.id}-title`} class={sub ? 'sub-title' : 'panel-title'}>{title}</H>
      {intro}
      {form.formError && <p class="alert alert-error" role="alert">{form.formError}</p>}
      <div class={`form-grid${tight ? ' form-grid-tight' : ''}`}>{children}</div>
      {after}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={form.busy}>
          {form.busy ? t('common.saving') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="btn" onClick={onCancel} disabled={form.busy}>{t('form.cancel')}</button>
        )}
      </div>
    </form>
  );
}
