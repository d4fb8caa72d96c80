import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { command, writtenTo, CLI_COORDINATOR } from '../cli/cli-command';
import { DomainError } from '../infra/errors/domain-error';
import { groupedResponseRatesCsv, overallRatingCsv, responseRatesCsv, responsesOverTimeCsv } from './report-csv';
import { responseChartSvg } from './response-chart';
import { type RatingRow, ReportsService } from './reports.service';
import { GroupedResponseRates, GroupRateRow, GROUPINGS } from './response-rates-by-group';

const rate = (v: number | null) => (v === null ? '  –  ' : `${v.toFixed(1).padStart(5)}%`);

export const reportResponseRates = command({
  name: 'report:response-rates',
  summary: 'Response rates per trust, per ICB and nationally, or by patient group with --by (--csv for a spreadsheet)',
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    csv: { type: 'boolean', description: 'print CSV instead of a table' },
    by: { type: 'string', description: `rates by patient group instead: ${GROUPINGS.join(', ')}` },
    trust: { type: 'string', description: "with --by: this trust's patients only (default: every trust's)" },
  },
  async run({ app, options }) {
    if (options.by !== undefined) return byGroup(await app.get(ReportsService).responseRatesByGroup(options.survey, options.by, CLI_COORDINATOR, options.trust), options.csv);
    if (options.trust !== undefined) throw new DomainError('validation_failed', '--trust goes with --by: the report without --by lists every trust already', [{ where: '--trust', message: 'only with --by' }]);
    const r = await app.get(ReportsService).responseRates(options.survey, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: responseRatesCsv(r).trimEnd() };
    const line = (x: typeof r.national) =>
      `${x.code.padEnd(10)} sampled ${String(x.sampled).padStart(7)}  responded ${String(x.outcomes[1]).padStart(7)}  adjusted ${rate(x.adjustedRate)}  unadjusted ${rate(x.unadjustedRate)}`;
    return { json: r, text: [...r.trusts.map(line), ...r.icbs.map(line), line(r.national)].join('\n') };
  },
});

function byGroup(r: GroupedResponseRates, csv: boolean | undefined) {
  if (csv) return { json: r, text: groupedResponseRatesCsv(r).trimEnd() };
  const width = Math.max(...[...r.groups, r.total].map((g) => g.group.length));
  const line = (x: GroupRateRow) =>
    `${x.group.padEnd(width)}  sampled ${String(x.sampled).padStart(7)}  responded ${String(x.outcomes[1]).padStart(7)}  adjusted ${rate(x.adjustedRate)}  unadjusted ${rate(x.unadjustedRate)}`;
  return { json: r, text: [`${r.survey}, ${r.scope === 'national' ? 'all trusts' : r.scope}, by ${r.label.toLowerCase()}:`, ...r.groups.map(line), line(r.total)].join('\n') };
}

export const reportResponsesOverTime = command({
  name: 'report:responses-over-time',
  summary: 'Cumulative responses per day since the first mailing (--csv), or the chart as SVG (--svg file)',
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    csv: { type: 'boolean', description: 'print CSV (series, name, date, responses, cumulative)' },
    svg: { type: 'string', description: 'write the chart to this .svg file' },
    trust: { type: 'string', description: 'chart this trust instead of the national line' },
  },
  async run({ app, options }) {
    const r = await app.get(ReportsService).responsesOverTime(options.survey, CLI_COORDINATOR);
    if (options.svg) {
      const series = r.series.find((s) => s.code === (options.trust ?? 'national'));
      if (!series && !options.trust) throw new DomainError('invalid_state', 'There is nothing to chart yet: no mailing has gone out in this survey');
      if (!series) throw new DomainError('not_found', 'No trust in this report has that code: check --trust', [{ where: '--trust', message: 'not found' }]);
      const path = resolve(options.svg);
      await writtenTo('--svg', 'The chart', () => writeFileSync(path, responseChartSvg(r.survey, series)));
      return { json: { ...r, chart: path }, text: `Chart of ${series.name} written to ${path}` };
    }
    if (options.csv) return { json: r, text: responsesOverTimeCsv(r).trimEnd() };
    const national = r.series[0];
    return {
      json: r,
      text: national
        ? `${r.survey}: ${national.points.at(-1)!.cumulative} responses from ${r.firstMailing} to ${r.until} (use --csv for every day and trust)`
        : `${r.survey}: nothing has been mailed yet`,
    };
  },
});

export const reportOverallRating = command({
  name: 'report:overall-rating',
  summary: 'Overall care rating (0-10) per trust: mean and respondents, withheld below the survey threshold',
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    csv: { type: 'boolean', description: 'print CSV' },
  },
  async run({ app, options }) {
    const r = await app.get(ReportsService).overallRating(options.survey, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: overallRatingCsv(r).trimEnd() };
    const line = (x: RatingRow) => `${x.code.padEnd(10)} respondents ${String(x.respondents).padStart(7)}  mean ${x.mean === null ? `withheld (< ${r.threshold})` : x.mean.toFixed(1)}`;
    if (!('sections' in r)) return { json: r, text: [...r.trusts.map(line), line(r.national)].join('\n') };
    return { json: r, text: r.sections.map((s) => [`${s.title} (${s.question})`, ...s.trusts.map(line), line(s.national)].join('\n')).join('\n\n') };
  },
});
