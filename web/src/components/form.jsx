// The one way a page builds a form: useForm keeps the values, the errors
// under fields, the error above the form and the busy flag; FormPanel draws
// the frame (title, that error, the fields, submit and cancel). An API error
// ({"error","message","field"}) lands under its field when the form has one
// by that name (and the field gets the focus), otherwise above the form.
// The browser's own checks are off (noValidate): a required field left empty
// gets the UI's text in the UI's language under it, not the browser's bubble
// ("Please fill out this field") in the browser's language.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, fieldErrorText } from '../errors.js';
import { translator, useI18n } from '../i18n.jsx';

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
  // The required fields left empty, found by their ids (`${id}-${name}`) in
  // the submitted form: a field drawn by a component (AreaPicker) carries
  // aria-required and keeps its value in the form's values, not in the input.
  const missing = (formEl) => {
    const names = [];
    for (const el of formEl.querySelectorAll('[required], [aria-required="true"]')) {
      if (el.disabled || !el.id.startsWith(`${id}-`)) continue;
      const name = el.id.slice(id.length + 1);
      const value = name in values ? values[name] : el.value;
      if ((value == null || String(value).trim() === '') && !names.includes(name)) names.push(name);
    }
    return names;
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
      setFormError('');
      const empty = e && e.currentTarget ? missing(e.currentTarget) : [];
      if (empty.length) {
        setErrors(Object.fromEntries(empty.map((name) => [name, i18n.t('error.missing_field')])));
        const el = document.getElementById(fieldId(empty[0]));
        if (el) el.focus();
        return;
      }
      setErrors({});
      setBusy(true);
      try {
        await onSubmit(values, form);
      } catch (err) {
        if (!err || !err.code) throw err; // not an API answer: a bug, let it show
        // Under its field the field goes without saying; above the form it is named.
        const under = err.field && fields.includes(err.field);
        fail(err.field, under ? fieldErrorText(i18n, err) : errorText(i18n, err));
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
    <form class={sub ? 'subpanel' : 'panel form-panel'} onSubmit={form.submit} noValidate
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

/**
 * A last guard for a form that still leaves a check to the browser: its
 * bubble shows the UI's words in the UI's language (the page's lang, which
 * the language switch keeps current) instead of the browser's. Installed
 * once, at start; an edit of the field clears the text so the browser checks
 * it afresh.
 */
export function wordBrowserChecks() {
  document.addEventListener('invalid', (e) => {
    const el = e.target;
    if (!el.setCustomValidity) return;
    const t = translator(document.documentElement.lang);
    el.setCustomValidity('');
    el.setCustomValidity(t(el.validity.valueMissing ? 'error.missing_field' : 'error.invalid_field'));
  }, true);
  document.addEventListener('input', (e) => {
    if (e.target.setCustomValidity) e.target.setCustomValidity('');
  }, true);
}
