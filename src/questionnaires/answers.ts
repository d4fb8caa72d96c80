import type { ErrorDetail } from '../infra/errors/domain-error';
import { allQuestions } from './load-questionnaire';
import type { Question, QuestionnaireDefinition } from './questionnaire-definition';

/** Stored answers, by question id: an option code, a list of codes, a rating or free text. */
export type AnswerValue = string | string[] | number;
export type Answers = Record<string, AnswerValue>;

export interface CheckedAnswers {
  answers: Answers;
  /** Values that cannot be stored: unknown questions, codes not on the question, ratings out of range… */
  problems: ErrorDetail[];
  /** Answers to questions the respondent's own answers route past. */
  routedPast: ErrorDetail[];
}

const DEFAULT_TEXT_LENGTH = 4000;

/**
 * Checks answers against the questionnaire definition (the one that prints the paper form and
 * drives the online one), following its routing from question 1: an answer to a question the
 * routing skips is listed in `routedPast` (the online form refuses it; for scanned paper,
 * where people do tick filtered questions, it is dropped). Every question may be left blank.
 * Multiple choice accepts a list or codes separated by ";" (as scanning bureaux write them).
 */
export function checkAnswers(definition: QuestionnaireDefinition, raw: unknown): CheckedAnswers {
  const out: CheckedAnswers = { answers: {}, problems: [], routedPast: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    out.problems.push({ where: 'answers', message: 'answers must be an object of question id → answer' });
    return out;
  }
  const given = raw as Record<string, unknown>;
  const questions = allQuestions(definition);
  const known = new Set(questions.map((q) => q.id));
  for (const id of Object.keys(given)) {
    // The id is the caller's text: named only when it looks like an id, never quoted in the message.
    if (!known.has(id)) out.problems.push({ where: /^[a-z][a-z0-9_]{0,59}$/.test(id) ? id : 'answers', message: 'not a question id of this questionnaire' });
  }

  let next: number = 1; // the next question the routing reaches; Infinity after "go to the end"
  for (const q of questions) {
    const value = normalise(q, given[q.id]);
    if (q.number < next) {
      if (value !== undefined) {
        out.routedPast.push({ where: q.id, message: `question ${q.number} is skipped by the routing of an earlier answer, so it should not be answered` });
      }
      continue;
    }
    let goTo = q.goTo;
    if (value !== undefined) {
      const problem = invalid(q, value);
      if (problem) out.problems.push({ where: q.id, message: `question ${q.number}: ${problem}` });
      else {
        out.answers[q.id] = value;
        if (q.type === 'single') goTo = q.options?.find((o) => o.code === value)?.goTo ?? goTo;
      }
    }
    next = goTo === undefined ? q.number + 1 : goTo === 'end' ? Infinity : goTo;
  }
  return out;
}

/** One answer on its own (the online form's page for one question): the stored value, or what is wrong. */
export function checkAnswer(q: Question, raw: unknown): { value?: AnswerValue; problem?: string } {
  const value = normalise(q, raw);
  if (value === undefined) return {};
  const problem = invalid(q, value);
  return problem ? { problem } : { value };
}

/** The value as stored, or undefined when the question was left blank. */
function normalise(q: Question, value: unknown): AnswerValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (q.type === 'multiple') {
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(';') : [value];
    const codes = list.map((v) => String(v).trim()).filter(Boolean);
    return codes.length ? codes : undefined;
  }
  if (q.type === 'rating') {
    if (typeof value === 'string' && !value.trim()) return undefined;
    return typeof value === 'number' ? value : Number(String(value).trim());
  }
  if (Array.isArray(value) || typeof value === 'object') return JSON.stringify(value); // refused below
  const text = String(value).trim();
  return text ? text : undefined;
}

function invalid(q: Question, value: AnswerValue): string | undefined {
  const codes = new Set((q.options ?? []).map((o) => o.code));
  switch (q.type) {
    case 'single':
      return typeof value === 'string' && codes.has(value) ? undefined : `the answer is not one of its options (${[...codes].join(', ')})`;
    case 'multiple': {
      const list = value as string[];
      const unknown = list.filter((c) => !codes.has(c));
      if (unknown.length) return `${unknown.length > 1 ? `${unknown.length} answers are` : 'an answer is'} not among its options (${[...codes].join(', ')})`;
      if (new Set(list).size !== list.length) return 'an option is given twice';
      const exclusive = (q.options ?? []).find((o) => o.exclusive && list.includes(o.code));
      if (exclusive && list.length > 1) return `"${exclusive.label}" cannot be combined with other options`;
      return undefined;
    }
    case 'rating': {
      const [min, max] = [q.min ?? 0, q.max ?? 10];
      return Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `the rating must be a whole number from ${min} to ${max}`;
    }
    case 'text': {
      const limit = q.maxLength ?? DEFAULT_TEXT_LENGTH;
      if (typeof value !== 'string') return 'the answer must be text';
      return value.length > limit ? `the answer is longer than ${limit} characters` : undefined;
    }
  }
}

/** Where routing goes after question `number` given the answers: the next question's number, or null at the end. */
export function nextQuestion(definition: QuestionnaireDefinition, number: number, answers: Answers): number | null {
  const questions = allQuestions(definition);
  const q = questions[number - 1];
  let goTo = q.goTo;
  if (q.type === 'single') goTo = q.options?.find((o) => o.code === answers[q.id])?.goTo ?? goTo;
  const next = goTo === undefined ? number + 1 : goTo === 'end' ? null : goTo;
  return next !== null && next <= questions.length ? next : null;
}

/** The questions the respondent's routing leads through, in order, given the answers so far. */
export function routedPath(definition: QuestionnaireDefinition, answers: Answers): Question[] {
  const questions = allQuestions(definition);
  const path: Question[] = [];
  for (let n: number | null = 1; n !== null; n = nextQuestion(definition, n, answers)) path.push(questions[n - 1]);
  return path;
}
