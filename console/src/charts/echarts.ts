// Only the charts and components the console draws are registered, so only they are shipped.
import { BarChart, FunnelChart, LineChart, PieChart, SankeyChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, FunnelChart, SankeyChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DatasetComponent, AriaComponent, CanvasRenderer]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';
