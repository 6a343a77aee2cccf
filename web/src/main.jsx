import { render } from 'preact';
import { App } from './app.jsx';
import { wordBrowserChecks } from './components/form.jsx';
import { I18nProvider } from './i18n.jsx';
import './app.css';

wordBrowserChecks();

render(
  <I18nProvider>
    <App />
  </I18nProvider>,
  document.getElementById('app'),
);
