import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchMe, logout, setUnauthenticatedHandler } from './api.js';
import { Layout } from './components/Layout.jsx';
import { errorText } from './errors.js';
import { useI18n } from './i18n.jsx';
import { MetaProvider, fetchMeta } from './meta.jsx';
import { LoginPage } from './pages/Login.jsx';
import { matchPath, navigate, useHashPath } from './router.js';
import { allowed, routes } from './routes.js';

function findRoute(path) {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

function Message({ title, text }) {
  const { t } = useI18n();
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title">{t(title)}</h1>
      <p class="state">{t(text)}</p>
      <p><a class="btn" href="#/">{t('page.back_home')}</a></p>
    </section>
  );
}

export function App() {
  const i18n = useI18n();
  const { t } = i18n;
  const path = useHashPath();
  // state: 'loading' while /me is asked, then 'anon' or 'user'; 'error' when
  // the server could not be asked at all.
  const [session, setSession] = useState({ state: 'loading', user: null, notice: null, error: null });
  // The server's enumerations, asked once per page load after sign-in: they
  // do not depend on who is signed in. `attempt` counts retries.
  const [meta, setMeta] = useState({ data: null, error: null, attempt: 0 });
  // Where a signed-out visitor wanted to go, to return there after login.
  const wanted = useRef(null);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setSession((s) => (s.state === 'user'
        ? { state: 'anon', user: null, notice: 'login.expired' }
        : s));
    });
    fetchMe()
      .then((user) => setSession(user ? { state: 'user', user } : { state: 'anon', user: null }))
      .catch((error) => setSession({ state: 'anon', user: null, error }));
  }, []);

  useEffect(() => {
    if (session.state !== 'user' || meta.data) return;
    fetchMeta()
      .then((data) => setMeta((m) => ({ ...m, data, error: null })))
      .catch((error) => setMeta((m) => ({ ...m, error })));
  }, [session.state, meta.data, meta.attempt]);

  // Keep the address bar honest: signed out is always #/login.
  useEffect(() => {
    if (session.state === 'anon' && path !== '/login') {
      wanted.current = path;
      navigate('/login', { replace: true });
    } else if (session.state === 'user' && path === '/login') {
      const next = wanted.current && wanted.current !== '/login' ? wanted.current : '/';
      wanted.current = null;
      navigate(next, { replace: true });
    }
  }, [session.state, path]);

  const found = session.state === 'user' ? findRoute(path) : null;
  const titleKey = session.state !== 'user' ? 'login.title'
    : !found ? 'page.not_found'
      : !allowed(found.route, session.user) ? 'page.forbidden'
        : found.route.title;

  useEffect(() => {
    document.title = session.state === 'loading' ? t('app.name') : `${t(titleKey)} · ${t('app.name')}`;
  }, [titleKey, session.state, i18n.lang]);

  if (session.state === 'loading') {
    return (
      <div class="boot" role="status">
        <span class="spinner" aria-hidden="true" /> {t('app.loading')}
      </div>
    );
  }

  if (session.state !== 'user') {
    return (
      <>
        {session.error && <p class="alert alert-error boot-error" role="alert">{errorText(i18n, session.error)}</p>}
        <LoginPage
          notice={session.notice}
          onLogin={(user) => setSession({ state: 'user', user })}
        />
      </>
    );
  }

  if (!meta.data) {
    return (
      <div class="boot" role={meta.error ? 'alert' : 'status'}>
        {meta.error ? (
          <p class="alert alert-error alert-row" data-testid="meta-error">
            <span>{t('app.meta_failed', { error: errorText(i18n, meta.error) })}</span>
            <button type="button" class="btn btn-small"
              onClick={() => setMeta((m) => ({ ...m, error: null, attempt: m.attempt + 1 }))}>
              {t('common.retry')}
            </button>
          </p>
        ) : (
          <><span class="spinner" aria-hidden="true" /> {t('app.loading')}</>
        )}
      </div>
    );
  }

  const { user } = session;
  let page;
  if (!found) {
    page = <Message title="page.not_found" text="page.not_found_text" />;
  } else if (!allowed(found.route, user)) {
    page = <Message title="page.forbidden" text="page.forbidden_text" />;
  } else {
    const Page = found.route.component;
    page = <Page user={user} params={found.params} />;
  }

  async function doLogout() {
    try {
      await logout();
    } catch (_) {
      // The session is dropped on this side whatever the server said.
    }
    // Go to the login page first, so the page being left is not remembered
    // as the place to return to (the next user may be someone else).
    wanted.current = null;
    navigate('/login', { replace: true });
    setSession({ state: 'anon', user: null });
  }

  return (
    <MetaProvider value={meta.data}>
      <Layout user={user} path={path} onLogout={doLogout}>
        {page}
      </Layout>
    </MetaProvider>
  );
}
