// The language of the UI: a context that every component reads through
// useI18n(). The choice is kept in localStorage; zh-CN is the default.
import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { DEFAULT_LANG, LANGS, messages } from './messages.js';

const STORAGE_KEY = 'civgrid.lang';
const TIME_ZONE = 'Asia/Shanghai';

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (_) {
    // Storage may be blocked (private mode, policy): fall back to the default.
  }
  return DEFAULT_LANG;
}

/** Builds the translate function of one language: t('key', {param: value}). */
export function translator(lang) {
  const dict = messages[lang] || messages[DEFAULT_LANG];
  return (key, params) => {
    let text = dict[key] ?? messages[DEFAULT_LANG][key] ?? key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (m, name) =>
        params[name] === undefined ? m : String(params[name]));
    }
    return text;
  };
}

const I18nContext = createContext(null);

export function I18nProvider({ children }) {
  const [lang, setLangState] = useState(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const value = useMemo(() => {
    const t = translator(lang);
    const setLang = (next) => {
      if (!LANGS.includes(next)) return;
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch (_) {
        // Not persisted, but the switch still applies to this page.
      }
      setLangState(next);
    };
    const dateFmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    const clockFmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    return {
      lang,
      setLang,
      t,
      // Role names come with the roles from the server: useMeta().roleName.
      /** A code's label from the messages (level.city, status.active); unknown codes show as they are. */
      levelName: (level) => (level && messages[lang][`level.${level}`]) || level || '',
      statusName: (s) => (s && messages[lang][`status.${s}`]) || s || '',
      /** Epoch seconds as "YYYY-MM-DD HH:mm" in Asia/Shanghai, the same in both languages. */
      formatTime: (epoch) => {
        if (typeof epoch !== 'number' || !Number.isFinite(epoch)) return '';
        const p = Object.fromEntries(
          dateFmt.formatToParts(new Date(epoch * 1000)).map((x) => [x.type, x.value]));
        return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
      },
      formatClock: (epoch) => clockFmt.format(new Date(epoch * 1000)),
      /** A wait in seconds, rounded up to a readable unit. */
      formatWait: (seconds) => {
        if (seconds < 60) return t('time.seconds', { n: Math.max(1, Math.ceil(seconds)) });
        if (seconds < 3600) return t('time.minutes', { n: Math.ceil(seconds / 60) });
        return t('time.hours', { n: Math.ceil(seconds / 3600) });
      },
    };
  }, [lang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n() {
  return useContext(I18nContext);
}
