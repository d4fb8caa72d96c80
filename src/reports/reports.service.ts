import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { DomainError, NotFoundError } from '../infra/errors/domain-error';
import { allQuestions } from '../questionnaires/load-questionnaire';
import { PacksService } from '../questionnaires/packs.service';
import type { Respondent } from '../questionnaires/questionnaire-definition';
import { hasRespondents, questionnaireParts } from '../questionnaires/questionnaire-parts';
import { todayInEngland } from '../responses/patient-events';
import { ResultsAccess } from '../results/results-access';
import { RESPONDENT_SECTIONS } from '../results/survey-questions';
import { mailingPlanOf } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { adjustedRate, OUTCOME_CODES, OutcomeCounts, percent } from './rates';
import { assertGrouping, GroupCountRow, GroupedResponseRates, groupingFor, groupRates } from './response-rates-by-group';

export type ReportLevel = 'trust' | 'icb' | 'national';
/** Per channel the step uses: postal and email always (so the default plan's report is as before), sms when the plan sends texts. */
type Channels = { postal: number; email: number; sms?: number };

export interface ResponseRateRow {
  level: ReportLevel;
  /** Trust code, ICB code ("unassigned" for trusts without one), or "national". */
  code: string;
  name: string;
  icb: string | null;
  sampled: number;
  outcomes: OutcomeCounts;
  byMode: { paper: number; online: number; phone: number };
  /** Mailings sent per step and channel (letters printed, e-mails accepted by the mail server). */
  /** Keyed by the survey's mailing plan's steps, in plan order. */
  mailed: Record<string, Channels>;
  /** Code 1 ÷ (sampled − codes 2, 3, 5, 7), per cent to one decimal place. */
  adjustedRate: number | null;
  /** Code 1 ÷ sampled. */
  unadjustedRate: number | null;
}

export interface ResponseRateReport { survey: string; generatedAt: string; trusts: ResponseRateRow[]; icbs: ResponseRateRow[]; national: ResponseRateRow }

export interface ResponseSeries { code: string; name: string; points: { date: string; responses: number; cumulative: number }[] }
export interface ResponsesOverTime { survey: string; firstMailing: string | null; until: string | null; series: ResponseSeries[] }

export interface RatingRow { level: ReportLevel; code: string; name: string; respondents: number; mean: number | null; suppressed: boolean }
/**
 * The adult survey's report: one question. A survey whose questionnaires are in parts (the
 * Under-16 survey's) has no one rating: each respondent's own (child_overall_rating,
 * parent_overall_rating) is reported as a section, neither pooled with the other.
 */
export type RatingReport = WholeRatingReport | PartsRatingReport;
export interface WholeRatingReport { survey: string; question: string; threshold: number; trusts: RatingRow[]; national: RatingRow }
export interface PartsRatingReport { survey: string; threshold: number; sections: RatingSection[] }
export interface RatingSection { respondent: Respondent; title: string; question: string; trusts: RatingRow[]; national: RatingRow }

const NATIONAL = { code: 'national', name: 'England' };
const DAY_MS = 86_400_000;

/**
 * Fieldwork by the numbers, from SQL aggregates over patients, their outcomes (the
 * `patient_outcomes` view) and the send ledger. Counts are exact; rates are worked out from
 * them once, so a national or ICB rate is never an average of rounded trust rates. A trust user
 * gets their own trust's rows and the national figures, nothing else.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly packs: PacksService,
    private readonly access: ResultsAccess,
  ) {}

  async responseRates(surveyCode: string, principal: Principal): Promise<ResponseRateReport> {
    const survey = await this.surveys.get(surveyCode);
    // Outcomes are counted per trust, code and mode, and pivoted here: each FILTER over the view
    // would evaluate its outcome expression again (see OUTCOMES). These read no events, so unlike
    // the other reports they may use parallel workers, and need no transaction to set them.
    const [outcomeRows, mailedRows, trustRows] = await Promise.all([
      this.dataSource.query(OUTCOMES, [survey.id]) as Promise<OutcomeRow[]>,
      // Kept beside the ledger by its triggers (MailingSentCounts1797993600000), in shards.
      this.dataSource.query(
        `SELECT trust_code, step, channel, sum(sent)::int AS n FROM mailing_sent_counts
         WHERE survey_id = $1 GROUP BY 1, 2, 3 HAVING sum(sent) > 0`, [survey.id]) as Promise<MailedRow[]>,
      // ICB names come from the area lookup; an ICB it does not name yet is shown by its code.
      this.dataSource.query('SELECT t.code, t.name, t.icb_code, i.name AS icb_name FROM trusts t LEFT JOIN area_icbs i ON i.code = t.icb_code ORDER BY t.code') as
        Promise<{ code: string; name: string; icb_code: string | null; icb_name: string | null }[]>,
    ]);
    const shape = mailedShape(survey.settings);
    const byTrust = new Map<string, ResponseRateRow>();
    for (const r of outcomeRows) {
      let row = byTrust.get(r.trust_code);
      if (!row) {
        const trust = trustRows.find((t) => t.code === r.trust_code)!;
        byTrust.set(r.trust_code, (row = emptyRow('trust', trust.code, trust.name, trust.icb_code, shape)));
      }
      row.sampled += r.n;
      row.outcomes[r.outcome] += r.n;
      if (r.outcome === 1 && r.response_mode) row.byMode[r.response_mode] += r.n;
    }
    for (const m of mailedRows) {
      const row = byTrust.get(m.trust_code);
      if (!row) continue;
      // A step launched under an earlier plan keeps its own entry.
      const step = (row.mailed[m.step] ??= { postal: 0, email: 0 });
      step[m.channel] = (step[m.channel] ?? 0) + m.n;
    }
    const trusts = [...byTrust.values()].sort((a, b) => (a.code < b.code ? -1 : 1)).map(withRates);
    const national = withRates(sum(emptyRow('national', NATIONAL.code, NATIONAL.name, null, shape), trusts));
    const icbCodes = [...new Set(trusts.map((r) => r.icb ?? 'unassigned'))].sort();
    const icbName = (icb: string) => trustRows.find((t) => t.icb_code === icb)?.icb_name ?? `ICB ${icb}`;
    const icbs = icbCodes.map((icb) => withRates(sum(
      emptyRow('icb', icb, icb === 'unassigned' ? 'Trusts without an ICB' : icbName(icb), icb === 'unassigned' ? null : icb, shape),
      trusts.filter((r) => (r.icb ?? 'unassigned') === icb))));
    const scoped = scope(principal);
    return {
      survey: survey.code, generatedAt: new Date().toISOString(),
      trusts: scoped ? trusts.filter((r) => r.code === scoped) : trusts,
      icbs: scoped ? [] : icbs,
      national,
    };
  }

  /**
   * Response rates by patient group (age band, sex, ethnic group, IMD quintile, tumour group, or
   * the ways the patient can be reached), during fieldwork: nationally, or one trust's patients
   * (a trust user's own, always). Counts are shown as they are, small or not: this watches
   * fieldwork, it is not a publication.
   */
  async responseRatesByGroup(surveyCode: string, byName: string, principal: Principal, trust?: string): Promise<GroupedResponseRates> {
    const by = assertGrouping(byName);
    const survey = await this.surveys.get(surveyCode);
    const own = scope(principal);
    if (own && trust && trust !== own) throw new NotFoundError('No trust in this report has that code: check the trust code', 'trust');
    if (trust !== undefined && !/^[A-Z0-9]{3,5}$/.test(trust)) {
      throw new DomainError('validation_failed', 'A trust code is 3 to 5 capital letters and digits, e.g. RXX', [{ where: 'trust', message: 'not a trust code' }]);
    }
    const trustCode = own ?? trust ?? null;
    const grouping = groupingFor(by, parseSurveySettings(survey.settings));
    const counts = await this.query<GroupCountRow>(
      `SELECT ${grouping.sql} AS raw, o.outcome, o.response_mode, count(*)::int AS n
       FROM patient_outcomes o JOIN patients p ON p.id = o.patient_id
       WHERE o.survey_id = $1 AND ($2::text IS NULL OR o.trust_code = $2) GROUP BY 1, 2, 3`, [survey.id, trustCode]);
    return {
      survey: survey.code, generatedAt: new Date().toISOString(), by, label: grouping.label,
      scope: trustCode ?? NATIONAL.code, ...groupRates(by, counts, grouping),
    };
  }

  /** The day (in London) the survey's first letter or e-mail went; null until one has. */
  async firstMailing(surveyId: string): Promise<string | null> {
    const [{ first }] = await this.dataSource.query(
      `SELECT to_char(min(completed_at) AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS first FROM mailings WHERE survey_id = $1 AND status = 'sent'`,
      [surveyId]);
    return first;
  }

  /** Cumulative responses (outcome 1, by the date the first completed questionnaire arrived) per day since the first mailing. */
  async responsesOverTime(surveyCode: string, principal: Principal): Promise<ResponsesOverTime> {
    const survey = await this.surveys.get(surveyCode);
    const first = await this.firstMailing(survey.id);
    if (!first) return { survey: survey.code, firstMailing: null, until: null, series: [] };
    const rows: { trust_code: string; name: string; day: string; n: number }[] = await this.query(
      // Outcome 1 is exactly "has a completed event" (patient_outcomes): read those events alone.
      `SELECT p.trust_code, t.name, to_char(greatest(r.responded_on, $2::date), 'YYYY-MM-DD') AS day, count(*)::int AS n
       FROM (SELECT patient_id, min(occurred_on) AS responded_on FROM patient_events
             WHERE survey_id = $1 AND kind = 'completed' GROUP BY patient_id) r
       JOIN patients p ON p.id = r.patient_id JOIN trusts t ON t.code = p.trust_code GROUP BY 1, 2, 3`, [survey.id, first]);
    const [{ trusts }] = await this.dataSource.query(
      `SELECT coalesce(json_agg(json_build_object('code', t.code, 'name', t.name) ORDER BY t.code), '[]') AS trusts
       FROM trusts t WHERE EXISTS (SELECT 1 FROM patients p WHERE p.survey_id = $1 AND p.trust_code = t.code)`, [survey.id]);
    const lastResponse = rows.reduce((last, r) => (r.day > last ? r.day : last), first);
    const open = survey.status !== 'closed' && survey.status !== 'purged';
    const until = open ? [todayInEngland(), lastResponse].sort().at(-1)! : lastResponse;
    const days: string[] = [];
    for (let d = Date.parse(`${first}T00:00:00Z`); d <= Date.parse(`${until}T00:00:00Z`); d += DAY_MS) days.push(new Date(d).toISOString().slice(0, 10));

    const series = (code: string, name: string, perDay: Map<string, number>): ResponseSeries => {
      let cumulative = 0;
      return { code, name, points: days.map((date) => ({ date, responses: perDay.get(date) ?? 0, cumulative: (cumulative += perDay.get(date) ?? 0) })) };
    };
    const tally = (filter: (r: (typeof rows)[number]) => boolean) => {
      const perDay = new Map<string, number>();
      for (const r of rows.filter(filter)) perDay.set(r.day, (perDay.get(r.day) ?? 0) + r.n);
      return perDay;
    };
    const scoped = scope(principal);
    const shown = (trusts as { code: string; name: string }[]).filter((t) => !scoped || t.code === scoped);
    return {
      survey: survey.code, firstMailing: first, until,
      series: [series(NATIONAL.code, NATIONAL.name, tally(() => true)), ...shown.map((t) => series(t.code, t.name, tally((r) => r.trust_code === t.code)))],
    };
  }

  /**
   * The 0-10 overall care rating per trust: mean and respondents, the mean withheld below the
   * survey's threshold. With questionnaires in parts, each respondent's rating apart.
   */
  async overallRating(surveyCode: string, principal: Principal): Promise<RatingReport> {
    const survey = await this.surveys.get(surveyCode);
    // The mean rating is a result (RESULTS-METHOD "Scores"): under the embargo like every other, unlike response rates.
    await this.access.assertMaySee(survey, principal, principal.role === 'trust' && principal.trustCode ? { trust: principal.trustCode } : {});
    const settings = parseSurveySettings(survey.settings);
    const threshold = settings.suppressionThreshold;
    const scoped = scope(principal);
    const partRatings = this.partRatingQuestions(survey);
    if (partRatings) {
      const rows: RatingQueryRow[] = await this.dataSource.query(
        `SELECT p.trust_code AS code, t.name, r.part, count(*)::int AS respondents, sum((r.answers ->> k.id)::numeric)::text AS total
         FROM responses r JOIN patients p ON p.id = r.patient_id JOIN trusts t ON t.code = p.trust_code
         JOIN unnest($2::text[], $3::text[], $4::text[]) AS k(questionnaire, part, id) ON k.questionnaire = coalesce(p.questionnaire, $5) AND k.part = r.part
         WHERE r.survey_id = $1 AND r.answers ? k.id GROUP BY 1, 2, 3 ORDER BY 1`,
        [survey.id, partRatings.questions.map((q) => q.questionnaire), partRatings.questions.map((q) => q.part), partRatings.questions.map((q) => q.id), settings.questionnaire]);
      const sections = partRatings.parts.map(({ respondent, reportKey }): RatingSection => {
        const { trusts, national } = ratingRows(rows.filter((r) => r.part === respondent), threshold);
        return { respondent, title: RESPONDENT_SECTIONS[respondent], question: reportKey, trusts: scoped ? trusts.filter((r) => r.code === scoped) : trusts, national };
      });
      return { survey: survey.code, threshold, sections };
    }
    const question = this.ratingQuestion(survey);
    const rows: RatingQueryRow[] = await this.dataSource.query(
      `SELECT p.trust_code AS code, t.name, count(*)::int AS respondents, sum((r.answers ->> $2)::numeric)::text AS total
       FROM responses r JOIN patients p ON p.id = r.patient_id JOIN trusts t ON t.code = p.trust_code
       WHERE r.survey_id = $1 AND r.answers ? $2 GROUP BY 1, 2 ORDER BY 1`, [survey.id, question]);
    const { trusts, national } = ratingRows(rows, threshold);
    return { survey: survey.code, question, threshold, trusts: scoped ? trusts.filter((r) => r.code === scoped) : trusts, national };
  }

  /**
   * A report query on a connection of its own without parallel workers: each worker rebuilt
   * the per-patient event summary, which on two cores made the national report 1.5× slower.
   * The two queries of a report run side by side instead.
   */
  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL max_parallel_workers_per_gather = 0');
      await m.query(`SET LOCAL work_mem = '64MB'`); // hash tables of 150,000 patients stay in memory
      return m.query(sql, params);
    });
  }

  /**
   * A survey whose questionnaires are in parts: each respondent's overall rating is the rating
   * question of their part with reportKey <respondent>_overall_rating, in every questionnaire
   * that has that part (the 0-7 questionnaire has no child's part). Null for an adult survey.
   */
  private partRatingQuestions(survey: Survey): { parts: { respondent: Respondent; reportKey: string }[]; questions: { questionnaire: string; part: Respondent; id: string }[] } | null {
    const settings = parseSurveySettings(survey.settings);
    const names = [...new Set([settings.questionnaire, ...(settings.questionnaireByAge ?? []).map((b) => b.questionnaire)])];
    const definitions = names.map((name) => ({ name, definition: this.packs.questionnaireFor(survey, name) }));
    if (!definitions.some((d) => hasRespondents(d.definition))) return null;
    const questions: { questionnaire: string; part: Respondent; id: string }[] = [];
    const respondents = new Set<Respondent>();
    for (const { name, definition } of definitions) {
      for (const { part, definition: partDefinition } of questionnaireParts(definition)) {
        if (part === 'whole') continue;
        respondents.add(part);
        const reportKey = `${part}_overall_rating`;
        const q = allQuestions(partDefinition).find((x) => x.reportKey === reportKey);
        if (!q || q.type !== 'rating') {
          throw new DomainError('invalid_state', `Questionnaire ${name} has no rating question with reportKey "${reportKey}" in the part of ${part === 'child' ? 'the child' : 'the parent or carer'}`);
        }
        questions.push({ questionnaire: name, part, id: q.id });
      }
    }
    const parts = (Object.keys(RESPONDENT_SECTIONS) as Respondent[]).filter((r) => respondents.has(r)).map((respondent) => ({ respondent, reportKey: `${respondent}_overall_rating` }));
    return { parts, questions };
  }

  private ratingQuestion(survey: Survey): string {
    const q = allQuestions(this.packs.rendererFor(survey).questionnaire).find((x) => x.reportKey === 'overall_care_rating');
    if (!q || q.type !== 'rating') {
      throw new DomainError('invalid_state', `The questionnaire of this survey has no rating question with reportKey "overall_care_rating"`);
    }
    return q.id;
  }
}

type RatingQueryRow = { code: string; name: string; part?: string; respondents: number; total: string };

/** Trust rows and the national row of one rating question, the national mean from the exact totals. */
function ratingRows(rows: RatingQueryRow[], threshold: number): { trusts: RatingRow[]; national: RatingRow } {
  const rating = (level: ReportLevel, code: string, name: string, respondents: number, total: number): RatingRow => {
    const suppressed = respondents < threshold;
    // Mean to one decimal place, half up, from exact integer totals.
    return { level, code, name, respondents, suppressed, mean: suppressed ? null : Math.floor((20 * total + respondents) / (2 * respondents)) / 10 };
  };
  return {
    trusts: rows.map((r) => rating('trust', r.code, r.name, r.respondents, Number(r.total))),
    national: rating('national', NATIONAL.code, NATIONAL.name, rows.reduce((n, r) => n + r.respondents, 0), rows.reduce((n, r) => n + Number(r.total), 0)),
  };
}

type MailedRow = { trust_code: string; step: string; channel: keyof Channels; n: number };
type OutcomeRow = { trust_code: string; outcome: keyof OutcomeCounts; response_mode: keyof ResponseRateRow['byMode'] | null; n: number };

/**
 * A survey's outcomes by trust and response mode, by the rule of the `patient_outcomes` view
 * (`patient_outcome`, `patient_death_outcome`), in one scan of the survey's patients that
 * PostgreSQL runs in parallel. Patients are grouped on the outcome the facts on their row give
 * (the expression the statistics `patients_outcome_groups` describe: keep the two alike),
 * counting within each group the dead whose outcome death decides instead (neither a final
 * outcome nor a response): 7 if they died before their first mailing was sent, which is looked
 * up for them alone, else 3. The view would join every patient to the deaths and group on the
 * outcome expression, in one process.
 */
const OUTCOMES = `
  SELECT trust_code, v.outcome, response_mode, sum(v.n)::int AS n
  FROM (
    SELECT p.trust_code, patient_outcome(p.final_outcome, p.responded_on IS NOT NULL, NULL, p.ineligible,
        patient_undelivered(p.last_undelivered_at, p.last_address_change_at), p.opted_out) AS outcome, p.response_mode,
      count(*) AS patients,
      count(*) FILTER (WHERE CASE WHEN d.nhs_number IS NOT NULL THEN p.final_outcome IS NULL AND p.responded_on IS NULL END) AS decided_by_death,
      count(*) FILTER (WHERE CASE WHEN d.nhs_number IS NOT NULL AND p.final_outcome IS NULL AND p.responded_on IS NULL
        THEN patient_death_outcome(d.date_of_death, d.recorded_at, patient_first_sent_on(p.id)) = 7 END) AS died_before_mailing
    FROM patients p LEFT JOIN survey_deaths d ON d.survey_id = $1 AND d.nhs_number = p.nhs_number
    WHERE p.survey_id = $1
    GROUP BY 1, 2, 3
  ) facts
  CROSS JOIN LATERAL (VALUES (outcome, patients - decided_by_death), (7, died_before_mailing), (3, decided_by_death - died_before_mailing)) v (outcome, n)
  WHERE v.n > 0
  GROUP BY 1, 2, 3`;

const scope = (principal: Principal): string | null => (principal.role === 'trust' ? principal.trustCode! : null);

/** The mailed counts' shape for a survey: its plan's steps, each with postal, email and, where the plan sends any text, sms. */
function mailedShape(settings: Survey['settings']): Record<string, Channels> {
  const plan = mailingPlanOf(parseSurveySettings(settings));
  const texts = plan.some((s) => s.channels.sms);
  return Object.fromEntries(plan.map((s) => [s.name, texts ? { postal: 0, email: 0, sms: 0 } : { postal: 0, email: 0 }]));
}

function emptyRow(level: ReportLevel, code: string, name: string, icb: string | null, shape: Record<string, Channels>): ResponseRateRow {
  return {
    level, code, name, icb, sampled: 0,
    outcomes: Object.fromEntries(OUTCOME_CODES.map((c) => [c, 0])) as OutcomeCounts,
    byMode: { paper: 0, online: 0, phone: 0 },
    mailed: Object.fromEntries(Object.entries(shape).map(([s, c]) => [s, { ...c }])),
    adjustedRate: null, unadjustedRate: null,
  };
}

function sum(into: ResponseRateRow, rows: ResponseRateRow[]): ResponseRateRow {
  for (const r of rows) {
    into.sampled += r.sampled;
    for (const c of OUTCOME_CODES) into.outcomes[c] += r.outcomes[c];
    for (const mode of ['paper', 'online', 'phone'] as const) into.byMode[mode] += r.byMode[mode];
    for (const [s, channels] of Object.entries(r.mailed)) {
      into.mailed[s] ??= { postal: 0, email: 0 };
      for (const [c, n] of Object.entries(channels) as [keyof Channels, number][]) into.mailed[s][c] = (into.mailed[s][c] ?? 0) + n;
    }
  }
  return into;
}

function withRates(row: ResponseRateRow): ResponseRateRow {
  return { ...row, adjustedRate: adjustedRate(row.sampled, row.outcomes), unadjustedRate: percent(row.outcomes[1], row.sampled) };
}
