import { LANGS, messages } from '../messages.js';
import { useI18n } from '../i18n.jsx';

/** Two buttons, 中文 | English; the pressed one is the current language. */
export function LangSwitch({ className = '' }) {
  const { lang, setLang, t } = useI18n();
  return (
    <div class={`lang-switch ${className}`} role="group" aria-label={t('lang.switch')}>
      {LANGS.map((l) => (
        <button
          type="button"
          key={l}
          lang={l}
          class="lang-btn"
          aria-pressed={l === lang ? 'true' : 'false'}
          onClick={() => setLang(l)}
        >
          {messages[l]['lang.name']}
        </button>
      ))}
    </div>
  );
}
