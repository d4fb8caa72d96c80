import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { readFileSync } from 'node:fs';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { AnswerOption, Question, QuestionnaireDefinition, RouteTarget, Section } from './questionnaire-definition';
import { PART_NAMES, questionnaireParts } from './questionnaire-parts';

/** Reads and checks a questionnaire definition; every problem is reported, each naming its question. */
export function loadQuestionnaire(path: string): QuestionnaireDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // Neither the path nor the parser's excerpt of the file is repeated: both can be what was typed.
    throw new DomainError('validation_failed', (error as NodeJS.ErrnoException).code
      ? 'The questionnaire file cannot be read: check the path' : 'The questionnaire file is not valid JSON');
  }
  return parseQuestionnaire(raw);
}

export function parseQuestionnaire(raw: unknown, source = 'questionnaire'): QuestionnaireDefinition {
  const definition = plainToInstance(QuestionnaireDefinition, raw);
  const problems = structureProblems(definition);
  if (!problems.length) problems.push(...respondentProblems(definition));
  if (!problems.length) problems.push(...logicProblems(definition));
  if (problems.length) {
    throw new DomainError('validation_failed',
      `The ${source} is invalid (${problems.length} problem${problems.length > 1 ? 's' : ''})`, problems);
  }
  return definition;
}

export const allQuestions = (q: QuestionnaireDefinition): Question[] => q.sections.flatMap((s) => s.questions);

/** A question scored in the results: its options carry score marks (RESULTS-METHOD.md, "Scores"). */
export const isEvaluative = (q: Question): boolean =>
  (q.type === 'single' || q.type === 'multiple') && !!q.options?.some((o) => o.score !== undefined);

/** class-validator's findings, located as "question 12 (tests_explained)" rather than "sections.2.questions.4". */
function structureProblems(definition: QuestionnaireDefinition): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const walk = (list: ValidationError[], where: string) => {
    for (const e of list) {
      let here = where;
      if (e.value instanceof Question) here = describeQuestion(e.value);
      else if (e.value instanceof Section) here = `section ${Number(e.property) + 1}${e.value.title ? ` (${e.value.title})` : ''}`;
      else if (e.value instanceof AnswerOption) here = `${where}, option ${Number(e.property) + 1}`;
      for (const message of Object.values(e.constraints ?? {})) out.push({ where: here || 'questionnaire', message });
      walk(e.children ?? [], here);
    }
  };
  walk(validateSync(definition, { whitelist: true, forbidNonWhitelisted: true }), '');
  return out;
}

const describeQuestion = (q: Question) =>
  `question ${Number.isInteger(q.number) ? q.number : '?'}${q.id ? ` (${q.id})` : ''}`;

/**
 * Every section names who answers it, or none does; one respondent's sections come together
 * (each respondent's part is printed, answered and stored as one).
 */
function respondentProblems(definition: QuestionnaireDefinition): ErrorDetail[] {
  const sections = definition.sections;
  const where = (i: number) => `section ${i + 1} (${sections[i].title})`;
  if (!sections.some((s) => s.respondent)) return [];
  const problems: ErrorDetail[] = sections.flatMap((s, i) => (s.respondent ? [] : [{
    where: where(i), message: 'has no respondent, but other sections have one: give every section a respondent (child or parent), or none',
  }]));
  if (problems.length) return problems;
  const seen = new Set<string>();
  sections.forEach((s, i) => {
    if (!s.respondent) return;
    if (seen.has(s.respondent) && sections[i - 1]?.respondent !== s.respondent) {
      problems.push({ where: where(i), message: `is for the ${s.respondent}, but it does not follow the other sections for the ${s.respondent}: keep each respondent's sections together` });
    }
    seen.add(s.respondent);
  });
  return problems;
}

function logicProblems(definition: QuestionnaireDefinition): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const ids = new Set<string>();
  // With respondents, numbering and routing are each part's own (its questions are answered apart).
  for (const { part, definition: partDefinition } of questionnaireParts(definition)) {
    const questions = allQuestions(partDefinition);
    const partName = part === 'whole' ? '' : ` in the part for ${PART_NAMES[part]}`;
    const add = (q: Question, message: string) => problems.push({ where: `${describeQuestion(q)}${partName}`, message });
    checkQuestions(questions, ids, add, part === 'whole'
      ? 'numbers run 1, 2, 3… across sections' : 'numbers run 1, 2, 3… across the sections of each respondent\'s part');
  }
  const questions = allQuestions(definition);
  const keys = questions.filter((q) => q.reportKey).map((q) => q.reportKey!);
  for (const key of new Set(keys)) {
    if (keys.filter((k) => k === key).length > 1) problems.push({ where: 'questionnaire', message: `reportKey ${key} is given to more than one question` });
  }
  return problems;
}

/** One part's questions: numbering, ids (unique across the whole definition), options, routing within the part. */
function checkQuestions(questions: Question[], ids: Set<string>, add: (q: Question, message: string) => void, numbering: string): void {
  const last = questions.length;
  const checkRoute = (q: Question, target: RouteTarget, what: string) => {
    if (target === 'end') return;
    if (!Number.isInteger(target)) add(q, `${what} must go to a question number or "end"`);
    else if (target <= q.number) add(q, `${what} goes to question ${target}, which does not come after it`);
    else if (target > last) add(q, `${what} goes to question ${target}, but the last question is ${last}`);
  };

  questions.forEach((q, i) => {
    if (q.number !== i + 1) add(q, `is numbered ${q.number} but is question ${i + 1} in order (${numbering})`);
    if (ids.has(q.id)) add(q, `id ${q.id} is used by an earlier question`);
    ids.add(q.id);
    if (q.goTo !== undefined) checkRoute(q, q.goTo, 'its routing');

    if (q.type === 'single' || q.type === 'multiple') {
      const options = q.options ?? [];
      if (options.length < 2) add(q, `a ${q.type}-choice question needs at least two options`);
      const codes = new Set<string>();
      for (const o of options) {
        if (codes.has(o.code)) add(q, `option code ${o.code} is used twice`);
        codes.add(o.code);
        if (o.goTo !== undefined) {
          if (q.type !== 'single') add(q, `option "${o.label}" has routing, which only single-choice questions can have`);
          else checkRoute(q, o.goTo, `option "${o.label}"`);
        }
        if (o.exclusive && q.type !== 'multiple') add(q, `option "${o.label}" is exclusive, which only multiple-choice questions can have`);
      }
      if (isEvaluative(q)) {
        const unmarked = options.filter((o) => o.score === undefined);
        if (unmarked.length) {
          add(q, `is evaluative (some of its options are scored) but option${unmarked.length > 1 ? 's' : ''} ${unmarked.map((o) => `"${o.label}"`).join(', ')} `
            + `${unmarked.length > 1 ? 'have' : 'has'} no score: mark every option positive, other or excluded, or none`);
        }
        if (!options.some((o) => o.score === 'positive')) add(q, 'is evaluative (its options are scored) but no option is marked positive');
      }
      for (const field of ['min', 'max', 'maxLength'] as const) if (q[field] !== undefined) add(q, `${field} does not apply to a ${q.type}-choice question`);
    } else {
      if (q.options?.length) add(q, `a ${q.type} question has no options`);
      if (q.options?.some((o) => o.score !== undefined)) add(q, `a ${q.type} question is not evaluative: only single- and multiple-choice answers are scored`);
      if (q.type === 'rating') {
        if (q.min === undefined || q.max === undefined) add(q, 'a rating question needs min and max');
        else if (q.min >= q.max) add(q, `min ${q.min} must be below max ${q.max}`);
        if (!q.minLabel || !q.maxLabel) add(q, 'a rating question needs minLabel and maxLabel for the ends of its scale');
      }
      if (q.type === 'text' && q.maxLength === undefined) add(q, 'a text question needs maxLength');
    }
  });
}
