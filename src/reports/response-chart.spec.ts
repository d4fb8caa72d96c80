import { responseChartSvg } from './response-chart';

/** The data points drawn as marks: ECharts tags each with its index in the series. */
const marked = (svg: string) => [...svg.matchAll(/<path[^>]*ecmeta_data_index="(\d+)"/g)].map((m) => Number(m[1]));

describe('the responses-over-time chart', () => {
  it('shows responses that all fall on one day (a line of one point draws nothing)', () => {
    const svg = responseChartSvg('CPES-2026', { code: 'national', name: 'England', points: [{ date: '2026-12-01', responses: 5, cumulative: 5 }] });
    expect(marked(svg)).toEqual([0]);
  });

  it('marks every day with responses, and no day without', () => {
    const svg = responseChartSvg('CPES-2026', { code: 'national', name: 'England', points: [
      { date: '2026-12-01', responses: 2, cumulative: 2 },
      { date: '2026-12-02', responses: 0, cumulative: 2 },
      { date: '2026-12-03', responses: 1, cumulative: 3 },
    ] });
    expect(marked(svg).sort()).toEqual([0, 2]);
  });
});
