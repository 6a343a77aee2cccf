// One ECharts chart. ECharts is not in app.js: loadCharts() fetches the chunk
// of ./echarts.js (only the chart types and components the UI uses) the first
// time a page asks for it, so that pages without charts never download it.
// Until it has arrived the chart's box stays empty at its size; if it cannot
// be fetched (the server was updated under an open page) the box says so.
// The chart follows its box's size (ResizeObserver) and is disposed with the
// component. `points` (the number of data values drawn) is written to
// data-points, so that a test can tell a chart with data from an empty one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.jsx';

let loading = null;

/**
 * Starts fetching ECharts (once) and resolves with its module; a page that
 * will draw charts calls it early, beside its own data request. A failed
 * fetch is forgotten, so that the next chart tries again.
 */
export function loadCharts() {
  if (!loading) {
    loading = import('./echarts.js').catch((e) => {
      loading = null;
      throw e;
    });
  }
  return loading;
}

/**
 * option: an ECharts option; label: what the chart shows, for screen readers;
 * onClick(params): a click on a data item (a bar of a child area to drill into).
 */
export function Chart({ option, label, points, class: cls = '', testid, onClick }) {
  const { t } = useI18n();
  const box = useRef(null);
  const chart = useRef(null);
  const latest = useRef(option);
  const [failed, setFailed] = useState(false);
  latest.current = option;
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    let gone = false;
    let ro = null;
    // Printing changes the page's width: draw again at the printed size.
    const onPrint = () => chart.current && chart.current.resize();
    loadCharts().then((echarts) => {
      // A chart that left the page before its effect ran (a quick navigation
      // under load) has no box any more: nothing to draw into.
      if (gone || !box.current) return;
      const c = echarts.init(box.current, null, { renderer: 'canvas' });
      chart.current = c;
      c.on('click', (p) => { if (click.current) click.current(p); });
      if (latest.current) c.setOption(latest.current, true);
      ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => c.resize()) : null;
      if (ro) ro.observe(box.current);
      window.addEventListener('beforeprint', onPrint);
    }, () => {
      if (!gone) setFailed(true);
    });
    return () => {
      gone = true;
      if (ro) ro.disconnect();
      window.removeEventListener('beforeprint', onPrint);
      if (chart.current) chart.current.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current && option) chart.current.setOption(option, true);
  }, [option]);

  return (
    <div class={`chart ${cls}`.trim()} ref={box} role="img" aria-label={label}
      data-points={points ?? 0} data-testid={testid}>
      {failed && <p class="chart-failed" data-testid="chart-failed">{t('home.chart_failed')}</p>}
    </div>
  );
}
