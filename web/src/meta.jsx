// The server's enumerations (GET /api/v1/meta): roles with their labels and
// permissions, area levels, statuses, resident types, place kinds and types,
// staff positions. The UI keeps no copy of these lists: the app fetches them
// once after sign-in and every page reads them here, so a role or a level
// added in C reaches every picker without a UI change. Labels come from the
// answer where the server has them (roles, place types) and otherwise from
// messages.js keyed by the stable code (level.city, rstatus.moved_out ...).
import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { get } from './api.js';
import { useI18n } from './i18n.jsx';

const MetaContext = createContext(null);

export const MetaProvider = MetaContext.Provider;

/** Asks the server for its enumerations. */
export const fetchMeta = () => get('/api/v1/meta');

/**
 * The enumerations and their labels in the current language:
 *   codes('area_levels')      ['city', 'county', ...] in the server's order
 *   roleName('grid_worker')   '网格员' or 'Grid worker'
 * A code the server did not list shows as it is.
 */
export function useMeta() {
  const meta = useContext(MetaContext);
  const { lang } = useI18n();
  return useMemo(() => {
    const pick = (x) => (x ? (lang === 'en' ? x.en : x.zh) : null);
    const list = (key) => (meta && meta[key]) || [];
    return {
      meta,
      codes: (key) => list(key).map((x) => x.code),
      roleName: (code) => pick(list('roles').find((r) => r.code === code)) || code || '',
    };
  }, [meta, lang]);
}
