// The part of ECharts the charts (home, case board) use, and nothing else: echarts/core
// with the bar, line and pie charts, the grid, the plain legend, the tooltip and the
// canvas renderer. Chart.jsx imports this module with import(), so esbuild
// puts it (and ECharts) in a chunk of its own that only pages drawing a chart
// download (web/build.mjs).
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, PieChart, GridComponent, LegendPlainComponent, TooltipComponent, CanvasRenderer]);

export { init };
