// What the cases pages share: the labels of the server's case enumerations
// (types, states, actions, domains, categories: GET /api/v1/meta, never a
// copy here), the badges of a state and a supervision card, a unit's name,
// photo uploads and the "my tasks" counts.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, post } from '../../api.js';
import { can } from '../../components/access.js';
import { useI18n } from '../../i18n.jsx';
import { useMeta } from '../../meta.jsx';

/**
 * The case enumerations in the current language:
 *   list('case_types')     the server's entries ({code, zh, en, ...})
 *   name('case_states', 'handling')   '处置中' or 'Handling'
 *   categories            the active categories, grouped by domain
 *   transition(action, state)   the table's row ({from, to, required, ...})
 */
export function useCaseMeta() {
  const { meta } = useMeta();
  const { lang } = useI18n();
  return useMemo(() => {
    const list = (key) => (meta && meta[key]) || [];
    const pick = (x) => (x ? (lang === 'en' ? x.en : x.zh) : null);
    const name = (key, code) => pick(list(key).find((x) => x.code === code)) || code || '';
    const cats = list('case_categories');
    const groups = list('case_domains')
      .map((d) => ({ code: d.code, name: pick(d), items: cats.filter((c) => c.domain === d.code) }))
      .filter((g) => g.items.length > 0);
    return {
      list,
      name,
      pick,
      categories: cats,
      groups,
      category: (code) => cats.find((c) => c.code === code) || null,
      transition: (action, state) => {
        const a = list('case_actions').find((x) => x.code === action);
        return (a && (a.transitions || []).find((tr) => (tr.from || null) === (state || null))) || null;
      },
    };
  }, [meta, lang]);
}

/** A unit ({area_code, area_name, department_code, department_name}) in words. */
export function unitName(u) {
  if (!u) return '';
  return u.department_name || u.department_code || u.area_name || u.area_code || '';
}

/** The category of a case ({code, zh, en, domain}) in the UI's language. */
export function categoryName(c, lang) {
  if (!c) return '';
  return (lang === 'en' ? c.en : c.zh) || c.code || '';
}

export function StateBadge({ state }) {
  const { name } = useCaseMeta();
  return <span class={`badge case-state case-state-${state}`} data-state={state}>{name('case_states', state)}</span>;
}

/** The supervision card (yellow / red); nothing for none. */
export function CardBadge({ card }) {
  const { t } = useI18n();
  if (!card || card === 'none') return null;
  return <span class={`badge case-card case-card-${card}`} data-card={card}>{t(`cases.card_${card}`)}</span>;
}

/**
 * Uploads the photos (Files) to a case, one after the other, and resolves
 * with their attachment rows. The server checks each one's bytes.
 */
export async function uploadPhotos(caseId, files) {
  const out = [];
  for (const f of files) {
    const name = encodeURIComponent(f.name || 'photo.jpg');
    try {
      out.push(await post(`/api/v1/cases/${caseId}/attachments?name=${name}`, f));
    } catch (err) {
      // The server's too_large speaks of lists too long to answer; a photo gets its own words.
      if (err && err.code === 'too_large') throw new ApiError(413, { error: 'photo_too_large', message: err.message });
      throw err;
    }
  }
  return out;
}

/**
 * The user's task counts (GET /api/v1/case-counts), asked again when `key`
 * changes (a page opened, an action taken) and every minute. null until the
 * first answer, and for users who may not read cases.
 */
export function useCaseCounts(user, key) {
  const [counts, setCounts] = useState(null);
  const allowed = can(user, 'cases.read');
  useEffect(() => {
    if (!allowed) return undefined;
    let live = true;
    const load = () => get('/api/v1/case-counts')
      .then((c) => { if (live) setCounts(c); })
      .catch(() => { /* The badge stays as it was: the inbox shows the error. */ });
    load();
    const id = setInterval(load, 60_000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [allowed, key]);
  return counts;
}

/** All open tasks of the counts: what the navigation's badge shows. */
export const taskTotal = (c) => (c ? (c.reported || 0) + (c.handling || 0) + (c.done || 0) + (c.to_verify || 0) : 0);

/** The navigation's badge: the user's open tasks (nothing at zero). */
export function TaskBadge({ user, path }) {
  const { t } = useI18n();
  const n = taskTotal(useCaseCounts(user, path));
  if (!n) return null;
  return (
    <span class="nav-badge" data-testid="nav-task-badge" title={t('cases.badge_title', { n })}>
      <span aria-hidden="true">{n > 99 ? '99+' : n}</span>
      <span class="sr-only">{t('cases.badge_title', { n })}</span>
    </span>
  );
}

/** A thumbnail that opens the photo full size over the page. */
export function Photos({ items, testid }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(null);
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e) => { if (e.key === 'Escape') setOpen(null); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!items || !items.length) return null;
  return (
    <>
      <ul class="case-photos" data-testid={testid}>
        {items.map((a) => (
          <li key={a.id}>
            <button type="button" class="case-thumb" onClick={() => setOpen(a)}
              aria-label={t('cases.photo_open', { name: a.name || a.id })}>
              <img src={a.url} alt={a.name || ''} loading="lazy" />
            </button>
          </li>
        ))}
      </ul>
      {open && (
        <div class="photo-viewer" role="dialog" aria-modal="true" aria-label={open.name || t('cases.photo')}
          data-testid="photo-viewer" onClick={() => setOpen(null)}>
          <img src={open.url} alt={open.name || ''} />
          <div class="photo-viewer-bar">
            <a class="btn btn-small" href={open.url} target="_blank" rel="noopener"
              onClick={(e) => e.stopPropagation()}>{t('cases.photo_original')}</a>
            <button type="button" class="btn btn-small" autofocus onClick={() => setOpen(null)}>{t('common.close')}</button>
          </div>
        </div>
      )}
    </>
  );
}

/** Chosen photo files, shown as small previews before they are sent. */
export function PhotoPreview({ files }) {
  const [urls, setUrls] = useState([]);
  useEffect(() => {
    const made = files.map((f) => URL.createObjectURL(f));
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [files]);
  if (!files.length) return null;
  return (
    <ul class="case-photos case-photos-preview" data-testid="photo-preview">
      {urls.map((u, i) => <li key={u}><img class="case-thumb-img" src={u} alt={files[i] ? files[i].name : ''} /></li>)}
    </ul>
  );
}
