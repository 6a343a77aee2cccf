import { render } from 'preact';
import { App } from './app.jsx';
import { wordBrowserChecks } from './components/form.jsx';
import { I18nProvider } from './i18n.jsx';
import './app.css';
// Module pages load on first use, but their styles are small and must be there when they arrive.
import './pages/cases/cases.css';

wordBrowserChecks();

render(
  <I18nProvider>
    <App />
  </I18nProvider>,
  document.getElementById('app'),
);
