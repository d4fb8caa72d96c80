import { command, CLI_COORDINATOR, SURVEY_OPTION } from '../cli/cli-command';
import { breakdownCsv, frequenciesCsv, leagueCsv, scoresCsv, trendCsv } from './results-report';
import { ResultsService } from './results.service';

const csv = { type: 'boolean', description: 'print CSV instead of a table' } as const;
const fig = (v: number | null | undefined, width = 6) => (v === null || v === undefined ? '–'.padStart(width) : v.toFixed(1).padStart(width));

export const resultsScores = command({
  name: 'results:scores',
  summary: 'Scores of every evaluative question: national, per trust (case-mix adjusted, expected range, flag), ICB and Cancer Alliance',
  options: { survey: SURVEY_OPTION, csv },
  async run({ app, options }) {
    const r = await app.get(ResultsService).scores(options.survey, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: scoresCsv(r).trimEnd() };
    const text = r.questions.flatMap((q) => [
      `Q${q.number} ${q.question}: national ${fig(q.national.score)} (base ${q.national.base})`,
      ...q.trusts.map((t) => `  ${t.trust.padEnd(8)} base ${String(t.base).padStart(5)}  score ${fig(t.score)}  adjusted ${fig(t.adjusted)}  `
        + (t.suppressed ? `fewer than ${r.threshold} respondents` : `range ${fig(t.range998?.[0])}–${fig(t.range998?.[1])}  ${t.flag}`)),
    ]);
    return { json: r, text: text.length ? text.join('\n') : 'No evaluative questions in this survey\'s questionnaire.' };
  },
});

export const resultsBreakdown = command({
  name: 'results:breakdown',
  summary: 'Scores by tumour_group, age_band, sex, ethnic_group, imd_quintile or secondary_breast_cancer (nationally, or --trust)',
  options: {
    survey: SURVEY_OPTION, csv,
    by: { type: 'string', required: true, description: 'tumour_group|age_band|sex|ethnic_group|imd_quintile|secondary_breast_cancer' },
    trust: { type: 'string', description: "one trust's respondents only" },
  },
  async run({ app, options }) {
    const r = await app.get(ResultsService).breakdown(options.survey, options.by, options.trust, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: breakdownCsv(r).trimEnd() };
    return { json: r, text: r.groups.map((g) => `${g.group}: ${g.questions.map((q) => `${q.question} ${q.suppressed ? 'suppressed' : fig(q.score, 0)}`).join(', ')}`).join('\n') };
  },
});

export const resultsFrequencies = command({
  name: 'results:frequencies',
  summary: 'Respondents per option of every question that is not free text, nationally and per trust, ICB and Cancer Alliance',
  options: { survey: SURVEY_OPTION, csv },
  async run({ app, options }) {
    const r = await app.get(ResultsService).frequencies(options.survey, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: frequenciesCsv(r).trimEnd() };
    return { json: r, text: r.questions.map((q) => `${q.question} (${q.national.answered} answered): `
      + q.national.options.map((o) => `${o.label} ${o.count ?? '–'}`).join('; ')).join('\n') };
  },
});

export const resultsTrend = command({
  name: 'results:trend',
  summary: "Change since the survey's previousSurvey, per question matched by reportKey, with significance",
  options: { survey: SURVEY_OPTION, csv },
  async run({ app, options }) {
    const r = await app.get(ResultsService).trend(options.survey, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: trendCsv(r).trimEnd() };
    return { json: r, text: r.questions.map((q) => `${q.reportKey}: ${fig(q.national.previous)} → ${fig(q.national.current)} `
      + `(${q.national.change === null ? 'no comparison' : `${q.national.change >= 0 ? '+' : ''}${q.national.change.toFixed(1)} points${q.national.significant ? ', significant' : ''}`})`).join('\n') || 'No question is matched with the previous survey (by reportKey).' };
  },
});

export const resultsLeague = command({
  name: 'results:league',
  summary: 'Trusts ranked by questions above minus below their expected range, then mean adjusted score',
  options: { survey: SURVEY_OPTION, csv },
  async run({ app, options }) {
    const r = await app.get(ResultsService).league(options.survey, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: leagueCsv(r).trimEnd() };
    return { json: r, text: r.trusts.map((t) => `${String(t.rank).padStart(4)}  ${t.trust.padEnd(8)} above ${t.above}  within ${t.within}  below ${t.below}  mean adjusted ${fig(t.meanAdjusted)}`).join('\n')
      || 'No trust has enough respondents to be ranked.' };
  },
});

export const RESULTS_COMMANDS = [resultsScores, resultsBreakdown, resultsFrequencies, resultsTrend, resultsLeague];
