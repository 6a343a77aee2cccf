// Inputs whose browser-drawn parts would speak the browser's language
// ("Choose File", "No file chosen", mm/dd/yyyy) instead of the UI's: each
// draws those parts itself, in the UI's words.
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.jsx';

/**
 * A date typed as YYYY-MM-DD (the format the API takes and the office
 * writes), with the UI's example as placeholder; the browser's date picker
 * would show its own locale's format (mm/dd/yyyy in an English browser).
 * Takes the attributes of an <input> (from Field and form.input).
 */
export function DateInput(props) {
  const { t } = useI18n();
  return (
    <input type="text" inputmode="numeric" maxLength={10} autocomplete="off" spellcheck={false}
      placeholder={t('form.date_placeholder')} {...props} class="date-input" />
  );
}

/**
 * A file input drawn as a button and the chosen file's name in the UI's
 * language. The real input stays in the page (hidden from sight, not from
 * the keyboard), so its label, focus and `files` work as before; inputRef
 * reaches it.
 */
export function FileInput({ id, inputRef, onChange, ...rest }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  return (
    <span class="file-input">
      <input {...rest} id={id} ref={inputRef} type="file" class="file-native"
        onChange={(e) => {
          const files = e.currentTarget.files;
          setName(files && files[0] ? files[0].name : '');
          if (onChange) onChange(e);
        }} />
      <label for={id} class="btn file-button" aria-hidden="true">{t('form.choose_file')}</label>
      <span class="file-name" data-testid="file-name">{name || t('form.no_file')}</span>
    </span>
  );
}
