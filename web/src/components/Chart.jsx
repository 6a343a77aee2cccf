// One ECharts chart. Only the chart types and components the UI uses are
// registered (echarts/core), so that the bundle carries them and not all of
// ECharts. The chart follows its box's size (ResizeObserver) and is disposed
// with the component. `points` (the number of data values drawn) is written to
// data-points, so that a test can tell a chart with data from an empty one.
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/**
 * option: an ECharts option; label: what the chart shows, for screen readers;
 * onClick(params): a click on a data item (a bar of a child area to drill into).
 */
export function Chart({ option, label, points, class: cls = '', testid, onClick }) {
  const box = useRef(null);
  const chart = useRef(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const c = echarts.init(box.current, null, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => { if (click.current) click.current(p); });
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => c.resize()) : null;
    if (ro) ro.observe(box.current);
    // Printing changes the page's width: draw again at the printed size.
    const onPrint = () => c.resize();
    window.addEventListener('beforeprint', onPrint);
    return () => {
      if (ro) ro.disconnect();
      window.removeEventListener('beforeprint', onPrint);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current && option) chart.current.setOption(option, true);
  }, [option]);

  return (
    <div class={`chart ${cls}`.trim()} ref={box} role="img" aria-label={label}
      data-points={points ?? 0} data-testid={testid} />
  );
}
