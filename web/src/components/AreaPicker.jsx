import { useEffect, useRef, useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { useI18n } from '../i18n.jsx';
import { useDebounced } from './hooks.js';

/**
 * Picks one area of the caller's scope. While nothing is picked it is a
 * combobox that looks areas up by name or code (GET /api/v1/areas?q=);
 * once picked it shows the area's name, level and code with a button to
 * change it. `value` is the area code; onChange(code, area) gets '' when
 * cleared. `levels` limits which areas may be picked (others are listed
 * but disabled, so the user sees why they are missing).
 */
export function AreaPicker({
  id, label, hint, error, required, value, onChange, levels, placeholder, clearable = true, compact = false,
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [typed, setTyped] = useState('');
  const [open, setOpen] = useState(false);
  const [results, setResults] = useState([]);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState(false);
  const [active, setActive] = useState(-1);
  const [known, setKnown] = useState(null); // the area object of `value`
  const debounced = useDebounced(typed.trim(), 250);
  const seq = useRef(0);
  const inputRef = useRef(null);

  // A value given from outside (a link, a reset) is shown by its name.
  useEffect(() => {
    if (!value) {
      setKnown(null);
      return;
    }
    if (known && known.code === value) return;
    let live = true;
    setKnown({ code: value });
    get(`/api/v1/areas/${encodeURIComponent(value)}`)
      .then((a) => { if (live) setKnown(a); })
      .catch(() => { /* Shown by its code only. */ });
    return () => { live = false; };
  }, [value]);

  useEffect(() => {
    if (!debounced) {
      setResults([]);
      setSearching(false);
      return;
    }
    const mine = ++seq.current;
    setSearching(true);
    setSearchError(false);
    get(`/api/v1/areas${query({ q: debounced, limit: 30 })}`)
      .then((res) => {
        if (mine !== seq.current) return;
        setResults(res.items || []);
        setActive(-1);
      })
      .catch(() => {
        if (mine === seq.current) {
          setResults([]);
          setSearchError(true);
        }
      })
      .finally(() => {
        if (mine === seq.current) setSearching(false);
      });
  }, [debounced]);

  const pickable = (a) => (!levels || levels.includes(a.level)) && a.status !== 'retired';

  function pick(a) {
    if (!pickable(a)) return;
    setKnown(a);
    setTyped('');
    setOpen(false);
    setResults([]);
    onChange(a.code, a);
  }

  function clear() {
    setKnown(null);
    onChange('', null);
    setTimeout(() => inputRef.current && inputRef.current.focus(), 0);
  }

  function onKeyDown(e) {
    if (e.key === 'Escape') {
      setOpen(false);
      return;
    }
    if (!open || results.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => (i + 1) % results.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => (i <= 0 ? results.length - 1 : i - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0) pick(results[active]);
      else {
        const only = results.filter(pickable);
        if (only.length === 1) pick(only[0]);
      }
    }
  }

  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const showList = open && typed.trim() !== '';
  const listId = `${id}-options`;

  return (
    <div class={`field area-picker${error ? ' field-invalid' : ''}${compact ? ' field-compact' : ''}`}>
      <label for={id} class="field-label">
        {label}
        {required && <span class="field-required" aria-hidden="true"> *</span>}
      </label>
      {value ? (
        <div class="picked" data-testid={`${id}-picked`}>
          <span class="picked-name">{known && known.name ? known.name : value}</span>
          <span class="picked-meta">
            {known && known.level && <>{i18n.levelName(known.level)} · </>}
            <span class="mono">{value}</span>
          </span>
          {clearable && (
            <button
              type="button"
              id={id}
              class="btn btn-small btn-quiet picked-clear"
              aria-label={t('picker.change_label', { name: (known && known.name) || value })}
              aria-describedby={describedBy}
              onClick={clear}
            >
              {t('picker.change')}
            </button>
          )}
        </div>
      ) : (
        <div class="combo">
          <input
            ref={inputRef}
            id={id}
            type="text"
            role="combobox"
            autocomplete="off"
            spellcheck={false}
            placeholder={placeholder || t('picker.placeholder')}
            aria-autocomplete="list"
            aria-expanded={showList ? 'true' : 'false'}
            aria-controls={listId}
            aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
            aria-describedby={describedBy}
            aria-invalid={error ? 'true' : undefined}
            aria-required={required ? 'true' : undefined}
            value={typed}
            onInput={(e) => {
              setTyped(e.currentTarget.value);
              setOpen(true);
            }}
            onFocus={() => setOpen(true)}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(() => setOpen(false), 150)}
          />
          {showList && (
            <div class="combo-popup">
              {searching && results.length === 0 && <p class="combo-note" role="status">{t('picker.searching')}</p>}
              {searchError && <p class="combo-note" role="status">{t('picker.error')}</p>}
              {!searching && !searchError && results.length === 0 && debounced && (
                <p class="combo-note" role="status">{t('picker.none')}</p>
              )}
              <ul id={listId} role="listbox" aria-label={t('picker.results')} class="combo-list">
                {results.map((a, i) => {
                  const ok = pickable(a);
                  return (
                    <li
                      key={a.code}
                      id={`${id}-opt-${i}`}
                      role="option"
                      aria-selected={i === active ? 'true' : 'false'}
                      aria-disabled={ok ? undefined : 'true'}
                      class={`combo-option${i === active ? ' active' : ''}${ok ? '' : ' disabled'}`}
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => pick(a)}
                    >
                      <span class="combo-name">{a.name}</span>
                      <span class="combo-meta">
                        <span class="mono">{a.code}</span> · {i18n.levelName(a.level)}
                        {a.status === 'retired' && <> · {t('astatus.retired')}</>}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </div>
          )}
        </div>
      )}
      {hint && <p id={`${id}-hint`} class="field-hint">{hint}</p>}
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </div>
  );
}
