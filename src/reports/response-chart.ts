import * as echarts from 'echarts';
import type { ResponseSeries } from './reports.service';

/**
 * Cumulative responses as an SVG line chart a coordinator can paste into a report, drawn by
 * Apache ECharts' server-side SVG renderer (no browser, no canvas). Fixed size and no
 * animation, so the same data always gives the same picture.
 */
export function responseChartSvg(surveyCode: string, series: ResponseSeries, options: { width?: number; height?: number } = {}): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width ?? 800, height: options.height ?? 400 });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: { text: `${surveyCode}: cumulative responses, ${series.name}`, left: 'center', textStyle: { fontSize: 16, color: '#212b32' } },
      grid: { left: 70, right: 30, top: 60, bottom: 60 },
      xAxis: { type: 'category', data: series.points.map((p) => p.date), name: 'Date', nameLocation: 'middle', nameGap: 35 },
      yAxis: { type: 'value', name: 'Responses', nameLocation: 'middle', nameGap: 50, minInterval: 1 },
      // A mark on every day with responses: a line of one point (all returns on one day) draws nothing on its own.
      series: [{
        type: 'line', name: series.name, showSymbol: true, showAllSymbol: true, symbolSize: 8,
        data: series.points.map((p) => ({ value: p.cumulative, symbol: p.responses > 0 ? 'circle' : 'none' })),
        lineStyle: { width: 3, color: '#005eb8' }, itemStyle: { color: '#005eb8' },
      }],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
