// A page whose code is fetched the first time it is opened. Module pages
// (cases, calendar) are not in app.js, so that the first load stays small for
// everyone and a role that never opens them never downloads them. esbuild puts
// each import() in a chunk of its own (web/build.mjs). Until the chunk has
// arrived the page says it is loading; if it cannot be fetched (the server was
// updated under an open page) the page says so and offers to reload.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.jsx';

/** load: () => import('...').then((m) => m.SomePage). */
export function lazyPage(load) {
  let loaded = null;
  return function LazyPage(props) {
    const { t } = useI18n();
    const [Page, setPage] = useState(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Page) return;
      load().then((C) => {
        loaded = C;
        setPage(() => C);
      }, () => setFailed(true));
    }, []);
    if (Page) return <Page {...props} />;
    if (failed) {
      return (
        <p class="state-error" role="alert">
          {t('page.chunk_failed')}{' '}
          <button type="button" class="btn" onClick={() => location.reload()}>{t('common.reload')}</button>
        </p>
      );
    }
    return <p class="state-loading" aria-busy="true"><span class="spinner" aria-hidden="true" /> {t('app.loading')}</p>;
  };
}
