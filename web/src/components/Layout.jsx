import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
import { navRoutes } from '../routes.js';
import { LangSwitch } from './LangSwitch.jsx';

/**
 * The frame of every signed-in page: the top bar (product, user, language,
 * sign-out) and the navigation, a sidebar on a wide screen and a menu that
 * folds open under the top bar on a phone.
 */
export function Layout({ user, path, onLogout, children }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { roleName } = useMeta();
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef(null);

  // A new page closes the phone menu and moves focus to the content, so
  // keyboard and screen reader users land where the new page starts.
  const first = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    if (mainRef.current) mainRef.current.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [path]);

  const items = navRoutes(user);
  const scopeName = user.scope && (user.scope.name || user.scope.code);

  return (
    <div class="shell">
      <button type="button" class="skip-link" onClick={() => mainRef.current && mainRef.current.focus()}>
        {t('app.skip')}
      </button>
      <header class="topbar">
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="sidenav"
          aria-label={menuOpen ? t('top.menu_close') : t('top.menu_open')}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span class="menu-icon" aria-hidden="true">{menuOpen ? '✕' : '☰'}</span>
          <span class="menu-text">{t('top.menu')}</span>
        </button>
        <a class="brand" href="#/">
          <span class="brand-mark" aria-hidden="true">格</span>
          <span class="brand-name">{t('app.name')}</span>
        </a>
        <div class="topbar-user" aria-label={t('top.user')} role="group">
          <span class="user-name" data-testid="user-name" title={user.display_name || user.username}>
            {user.display_name || user.username}
          </span>
          <span class="user-meta">
            <span class="user-role" data-testid="user-role">{roleName(user.role)}</span>
            {scopeName && <span class="user-scope" data-testid="user-scope">{scopeName}</span>}
          </span>
        </div>
        <div class="topbar-actions">
          <LangSwitch />
          <button type="button" class="btn btn-quiet logout-btn" onClick={onLogout}>
            {t('top.logout')}
          </button>
        </div>
      </header>
      <div class="frame">
        <nav id="sidenav" class={`sidenav${menuOpen ? ' open' : ''}`} aria-label={t('nav.label')}>
          <ul>
            {items.map((r) => {
              // A detail page (#/residents/12) belongs to its list's entry.
              const current = r.path === path || (r.path !== '/' && path.startsWith(r.path + '/'));
              return (
                <li key={r.path}>
                  <a
                    href={`#${r.path}`}
                    class={`nav-link${current ? ' current' : ''}`}
                    aria-current={current ? 'page' : undefined}
                    onClick={() => setMenuOpen(false)}
                  >
                    <span class="nav-icon" aria-hidden="true">{r.icon}</span>
                    <span>{t(r.title)}</span>
                    {r.badge && <r.badge user={user} path={path} />}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="main" ref={mainRef} tabindex="-1" class="content">
          {children}
        </main>
      </div>
    </div>
  );
}
