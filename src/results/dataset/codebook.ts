import type { CsvValue } from '../../infra/csv';
import {
  AGE_BANDS, ETHNIC_GROUPS, IMD_QUINTILES, SEX_GROUPS, TUMOUR_GROUPS, type Respondent,
} from '../method';
import type { Respondent as Answerer } from '../../questionnaires/questionnaire-definition';
import { PART_NAMES } from '../../questionnaires/questionnaire-parts';
import { RESPONDENT_SECTIONS, type SurveyQuestions } from '../survey-questions';

/** One column of the analysts' dataset, as the codebook describes it. */
export interface CodebookColumn {
  name: string;
  meaning: string;
  /** code: one of `codes`; number: a count or rating (see meaning); flag: 1 ticked, 0 not ticked. */
  type: 'code' | 'number' | 'flag';
  /** The question's number and id, and for a multiple-choice column its option code. */
  question?: number;
  questionId?: string;
  option?: string;
  /** A questionnaire in parts (the Under-16 survey's): whose answer the column holds, the child's or the parent's. */
  respondent?: Answerer;
  codes?: { code: string; label: string }[];
  /** What a blank cell means in this column. */
  blank?: string;
}

export type DatasetRow = Record<string, CsvValue>;
export const RESPONSE_MODES = ['paper', 'online', 'phone'] as const;

/** Grouping variables as numeric codes: the method's order, 9 for unknown / not known. */
const coded = (groups: readonly string[], unknown?: string) => groups.map((label, i) => ({ code: label === unknown ? '9' : String(i + 1), label }));
const SEX = [{ code: '1', label: 'male' }, { code: '2', label: 'female' }, { code: '9', label: 'other or not known' }];
const IMD = IMD_QUINTILES.map((q) => (q === 'unknown' ? { code: '9', label: 'unknown' } : { code: q, label: q === '1' ? '1 (most deprived)' : q === '5' ? '5 (least deprived)' : q }));

export interface AreaNames { trusts: Map<string, string>; icbs: Map<string, string>; alliances: Map<string, string> }

/**
 * Every column in dataset order: the respondent number, the grouping variables (from the sample
 * file), then each question that is not free text as q_<question id> (q_<question id>_<option
 * code> per option of a multiple-choice question): the prefix keeps the patient's own answer
 * (q_ethnic_group) apart from the sample's variable of the same name (ethnic_group).
 */
export function codebook(questions: SurveyQuestions, names: AreaNames, ageBands: readonly string[] = AGE_BANDS): CodebookColumn[] {
  const named = (m: Map<string, string>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([code, label]) => ({ code, label }));
  const columns: CodebookColumn[] = [
    { name: 'respondent', meaning: 'Respondent number, 1 to n: meaningless, in an order that does not follow the sample or the date of reply', type: 'number' },
    { name: 'trust', meaning: 'NHS trust that sampled the patient (ODS code)', type: 'code', codes: named(names.trusts) },
    { name: 'icb', meaning: "Integrated Care Board of the patient's home area (the trust's own when the sample gave none)", type: 'code', codes: named(names.icbs), blank: 'not known' },
    { name: 'cancer_alliance', meaning: "Cancer Alliance of the patient's home area (the trust's own when the sample gave none)", type: 'code', codes: named(names.alliances), blank: 'not known' },
    { name: 'tumour_group', meaning: 'Tumour group, from the ICD-10 code of the sample', type: 'code', codes: coded(TUMOUR_GROUPS) },
    { name: 'age_band', meaning: 'Age at discharge', type: 'code', codes: coded(ageBands) },
    { name: 'sex', meaning: 'Sex, from the sample file', type: 'code', codes: SEX },
    { name: 'ethnic_group', meaning: 'Ethnic group, from the NHS ethnic category of the sample file', type: 'code', codes: coded(ETHNIC_GROUPS, 'Not known') },
    { name: 'imd_quintile', meaning: "Index of Multiple Deprivation quintile of the patient's home area", type: 'code', codes: IMD },
    { name: 'secondary_breast_cancer', meaning: 'Breast cancer (C50) and answered that the cancer had spread', type: 'code', codes: [{ code: '0', label: 'no' }, { code: '1', label: 'yes' }] },
    { name: 'mode', meaning: 'How the questionnaire was completed', type: 'code', codes: coded(RESPONSE_MODES) },
  ];
  const parts = answerers(questions);
  if (parts.length) {
    // One row per respondent holds every part's answers: this says whose parts they are.
    columns.push({ name: 'parts_answered', meaning: 'Whose parts of the questionnaire have an answer: each question column says whose answer it holds', type: 'code',
      codes: partCodes(parts) });
  }
  for (const q of questions.frequency) {
    const who = questions.respondentOf.get(q.id);
    const text = `${questions.byId.get(q.id)?.text ?? q.id}${who ? ` [answered by ${PART_NAMES[who]}]` : ''}`;
    if (q.type === 'single') {
      columns.push({ name: `q_${q.id}`, question: q.number, questionId: q.id, ...(who ? { respondent: who } : {}), meaning: `Q${q.number}. ${text}`, type: 'code', codes: (q.options ?? []).map((o) => ({ code: o.value, label: o.label })), blank: 'not answered (or routed past)' });
    } else if (q.type === 'multiple') {
      for (const o of q.options ?? []) {
        columns.push({ name: `q_${q.id}_${o.value}`, question: q.number, questionId: q.id, option: o.value, ...(who ? { respondent: who } : {}), meaning: `Q${q.number}. ${text} — ${o.label}`, type: 'flag',
          codes: [{ code: '0', label: 'not ticked' }, { code: '1', label: 'ticked' }], blank: 'question not answered (or routed past)' });
      }
    } else {
      const about = questions.byId.get(q.id);
      columns.push({ name: `q_${q.id}`, question: q.number, questionId: q.id, ...(who ? { respondent: who } : {}), type: 'number', blank: 'not answered (or routed past)',
        meaning: `Q${q.number}. ${text} (${q.min ?? 0}${about?.minLabel ? ` = ${about.minLabel}` : ''} to ${q.max ?? 10}${about?.maxLabel ? ` = ${about.maxLabel}` : ''})` });
    }
  }
  return columns;
}

/** Who answers the questionnaire's parts, in the sections' order (none for a questionnaire not in parts). */
const answerers = (questions: SurveyQuestions): Answerer[] =>
  (Object.keys(RESPONDENT_SECTIONS) as Answerer[]).filter((who) => [...questions.respondentOf.values()].includes(who));

/** Each part alone (1, 2), then every part together (3): "the child or young person's part only"… */
function partCodes(parts: Answerer[]): { code: string; label: string }[] {
  const codes = parts.map((who, i) => ({ code: String(i + 1), label: `${PART_NAMES[who]}'s part only` }));
  return parts.length > 1 ? [...codes, { code: String(parts.length + 1), label: 'every part' }] : codes;
}

/** The parts_answered code of a respondent: the parts with an answered question (a respondent always has one). */
function partsAnsweredCode(column: CodebookColumn, questions: SurveyQuestions, r: Respondent): string {
  const answered = new Set<Answerer>();
  for (const [id, who] of questions.respondentOf) if (isAnswered(r.answers[id])) answered.add(who);
  const parts = answerers(questions);
  if (answered.size === parts.length && parts.length > 1) return column.codes!.at(-1)!.code;
  const only = parts.findIndex((who) => answered.has(who));
  return only < 0 ? '' : String(only + 1);
}

const isAnswered = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length);

const codeOf = (column: CodebookColumn, label: string): string => column.codes?.find((c) => c.label === label)?.code ?? '';

/** One respondent's row; every value is a code of its column (or a number, or blank). */
export function datasetRow(columns: CodebookColumn[], number: number, r: Respondent, mode: string, questions?: SurveyQuestions): DatasetRow {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const row: DatasetRow = {
    respondent: number, trust: r.trust, icb: r.icb, cancer_alliance: r.alliance,
    tumour_group: codeOf(byName.get('tumour_group')!, r.tumourGroup), age_band: codeOf(byName.get('age_band')!, r.ageBand),
    sex: codeOf(byName.get('sex')!, r.sex), ethnic_group: codeOf(byName.get('ethnic_group')!, r.ethnicGroup),
    imd_quintile: r.imdQuintile === 'unknown' ? '9' : r.imdQuintile, secondary_breast_cancer: r.secondaryBreastCancer ? '1' : '0',
    mode: codeOf(byName.get('mode')!, mode),
  };
  const parts = byName.get('parts_answered');
  if (parts && questions) row.parts_answered = partsAnsweredCode(parts, questions, r);
  for (const c of columns) {
    if (c.questionId === undefined) continue;
    const option = c.option;
    const answer = r.answers[c.questionId];
    if (!isAnswered(answer)) { row[c.name] = null; continue; }
    if (option !== undefined) row[c.name] = (Array.isArray(answer) ? answer : [answer]).map(String).includes(option) ? 1 : 0;
    else if (c.type === 'number') row[c.name] = typeof answer === 'number' ? answer : Number(answer);
    else row[c.name] = String(answer);
  }
  return row;
}

export const datasetCsvRows = (columns: CodebookColumn[], rows: DatasetRow[]): CsvValue[][] =>
  [columns.map((c) => c.name), ...rows.map((row) => columns.map((c) => row[c.name]))];

/** The codebook as CSV: one line per code (a column without codes has one line, code and label blank). */
export const codebookCsvRows = (columns: CodebookColumn[]): CsvValue[][] => [
  ['column', 'question', 'type', 'meaning', 'blank_means', 'code', 'label'],
  ...columns.flatMap((c) => (c.codes?.length ? c.codes : [{ code: '', label: '' }])
    .map((code) => [c.name, c.question ?? '', c.type, c.meaning, c.blank ?? '', code.code, code.label])),
];
