import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';
import { navRoutes } from '../routes.js';

export function HomePage({ user }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { roleName } = useMeta();
  const scope = user.scope || {};
  const shortcuts = navRoutes(user).filter((r) => r.path !== '/');

  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('home.welcome', { name: user.display_name || user.username })}</h1>
      </header>
      <p class="lead">{t('home.intro')}</p>
      <dl class="summary-grid">
        <div class="summary-item">
          <dt>{t('home.role')}</dt>
          <dd data-testid="home-role">{roleName(user.role)}</dd>
        </div>
        <div class="summary-item">
          <dt>{t('home.scope')}</dt>
          <dd data-testid="home-scope">
            {scope.name || scope.code || '—'}
            {scope.level && <span class="tag">{i18n.levelName(scope.level)}</span>}
          </dd>
        </div>
        <div class="summary-item">
          <dt>{t('home.scope_code')}</dt>
          <dd class="mono">{scope.code || '—'}</dd>
        </div>
        <div class="summary-item">
          <dt>{t('home.account')}</dt>
          <dd class="mono">{user.username}</dd>
        </div>
      </dl>
      {shortcuts.length > 0 && (
        <section aria-labelledby="shortcuts-title" class="shortcuts">
          <h2 id="shortcuts-title">{t('home.shortcuts')}</h2>
          <ul class="shortcut-list">
            {shortcuts.map((r) => (
              <li key={r.path}>
                <a class="shortcut" href={`#${r.path}`}>
                  <span class="nav-icon" aria-hidden="true">{r.icon}</span>
                  {t(r.title)}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
