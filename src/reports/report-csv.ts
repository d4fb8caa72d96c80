import { csvLines } from '../infra/csv';
import { OUTCOME_CODES } from './rates';
import type { RatingReport, RatingRow, ResponseRateReport, ResponsesOverTime } from './reports.service';
import type { GroupedResponseRates } from './response-rates-by-group';

const blankIfNull = (v: number | null) => (v === null ? '' : v.toFixed(1));

/** One row per trust, then ICBs, then the national row; rates with one decimal place, blank when there is no base. */
export function responseRatesCsv(report: ResponseRateReport): string {
  // The plan's steps and channels, as the national row carries them (the default plan: the three steps, post and e-mail).
  const mailed = Object.entries(report.national.mailed).flatMap(([s, channels]) => Object.keys(channels).map((c) => [s, c] as [string, 'postal' | 'email' | 'sms']));
  const header = ['level', 'code', 'name', 'icb', 'sampled', ...OUTCOME_CODES.map((c) => `outcome_${c}`),
    'responses_paper', 'responses_online', 'responses_phone',
    ...mailed.map(([s, c]) => `mailed_${s}_${c}`), 'adjusted_rate', 'unadjusted_rate'];
  const rows = [...report.trusts, ...report.icbs, report.national].map((r) => [
    r.level, r.code, r.name, r.icb ?? '', r.sampled, ...OUTCOME_CODES.map((c) => r.outcomes[c]),
    r.byMode.paper, r.byMode.online, r.byMode.phone, ...mailed.map(([s, c]) => r.mailed[s]?.[c] ?? 0),
    blankIfNull(r.adjustedRate), blankIfNull(r.unadjustedRate),
  ]);
  return csvLines([header, ...rows]);
}

/** Long format (one line per series and day), which spreadsheets pivot and charts read directly. */
export function responsesOverTimeCsv(report: ResponsesOverTime): string {
  return csvLines([['series', 'name', 'date', 'responses', 'cumulative'],
    ...report.series.flatMap((s) => s.points.map((p) => [s.code, s.name, p.date, p.responses, p.cumulative]))]);
}

/** One row per trust, then the national row; with questionnaires in parts, each respondent's rows in turn, a `respondent` column last. */
export function overallRatingCsv(report: RatingReport): string {
  const line = (r: RatingRow) => [r.level, r.code, r.name, r.respondents, blankIfNull(r.mean), r.suppressed ? 'yes' : 'no'];
  const header = ['level', 'code', 'name', 'respondents', 'mean', 'suppressed'];
  if (!('sections' in report)) return csvLines([header, ...[...report.trusts, report.national].map(line)]);
  return csvLines([[...header, 'respondent'],
    ...report.sections.flatMap((s) => [...s.trusts, s.national].map((r) => [...line(r), s.respondent]))]);
}

/** One row per group, then the total; the grouping and whose patients in the first columns, so files can be stacked. */
export function groupedResponseRatesCsv(report: GroupedResponseRates): string {
  const header = ['grouping', 'scope', 'group', 'sampled', ...OUTCOME_CODES.map((c) => `outcome_${c}`),
    'responses_paper', 'responses_online', 'responses_phone', 'adjusted_rate', 'unadjusted_rate'];
  const rows = [...report.groups, report.total].map((r) => [
    report.by, report.scope, r.group, r.sampled, ...OUTCOME_CODES.map((c) => r.outcomes[c]),
    r.byMode.paper, r.byMode.online, r.byMode.phone, blankIfNull(r.adjustedRate), blankIfNull(r.unadjustedRate),
  ]);
  return csvLines([header, ...rows]);
}
