import { useEffect, useRef, useState } from 'preact/hooks';
import { login } from '../api.js';
import { LangSwitch } from '../components/LangSwitch.jsx';
import { errorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';

export function LoginPage({ onLogin, notice }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const userRef = useRef(null);
  const passRef = useRef(null);

  useEffect(() => {
    if (userRef.current) userRef.current.focus();
  }, []);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    // The browser's checks are off (noValidate): an empty field gets the UI's words.
    const empty = !username.trim() ? userRef.current : !password ? passRef.current : null;
    if (empty) {
      setError({ code: 'missing_field' });
      empty.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await login(username.trim(), password);
      onLogin(user);
    } catch (err) {
      setError(err);
      setPassword('');
      setBusy(false);
      if (passRef.current) passRef.current.focus();
    }
  }

  return (
    <div class="login-page">
      <div class="login-lang">
        <LangSwitch />
      </div>
      <main class="login-card" aria-labelledby="login-heading">
        <div class="login-brand">
          <span class="brand-mark brand-mark-lg" aria-hidden="true">格</span>
          <div>
            <p class="login-product">{t('app.name')}</p>
            <p class="login-tagline">{t('app.tagline')}</p>
          </div>
        </div>
        <h1 id="login-heading" class="login-heading">{t('login.heading')}</h1>
        {notice && !error && <p class="alert alert-info" role="status">{t(notice)}</p>}
        {error && (
          <p class="alert alert-error" role="alert" data-error-code={error.code}>
            {errorText(i18n, error)}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label class="field-label" for="login-username">{t('login.username')}</label>
            <input
              id="login-username"
              ref={userRef}
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label class="field-label" for="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              ref={passRef}
              type="password"
              name="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p class="login-footer">{t('login.footer')}</p>
      </main>
    </div>
  );
}
