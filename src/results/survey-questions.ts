import { join } from 'node:path';
import { DomainError } from '../infra/errors/domain-error';
import { TEMPLATES_DIR } from '../infra/paths';
import { allQuestions, loadQuestionnaire } from '../questionnaires/load-questionnaire';
import type { Question, QuestionnaireDefinition, Respondent, Section } from '../questionnaires/questionnaire-definition';
import type { SurveySettings } from '../surveys/survey-settings';
import type { EvaluativeQuestion, FrequencyQuestion } from './method';

export interface SurveyQuestions {
  definition: QuestionnaireDefinition;
  /** Questions whose options carry scoring marks, in questionnaire order. */
  evaluative: EvaluativeQuestion[];
  /** Every question that is not free text. */
  frequency: FrequencyQuestion[];
  /** By id: number and wording for tables and pages. */
  byId: Map<string, Question>;
  /** The question behind the secondary breast cancer group and its "Yes" option, when the questionnaire has one. */
  cancerSpread: { id: string; yes: string } | null;
  /** Who answers each question, when the questionnaire is in parts (the Under-16 survey's): child or parent. */
  respondentOf: Map<string, Respondent>;
  /**
   * A survey with a questionnaire per age band: each questionnaire's question ids → the pooled
   * question's id (its reportKey), so answers from every band count towards one question.
   */
  pooled?: { byQuestionnaire: Map<string, Map<string, string>>; surveyQuestionnaire: string };
}

/** Pooled results' section titles. */
export const RESPONDENT_SECTIONS: Record<Respondent, string> = {
  child: 'Answers of children and young people',
  parent: 'Answers of parents and carers',
};

const cache = new Map<string, SurveyQuestions>();

/** A survey's questionnaire as the results method reads it (loaded once per questionnaire). */
export function surveyQuestions(questionnaire: string): SurveyQuestions {
  let found = cache.get(questionnaire);
  if (!found) {
    found = adapt(loadQuestionnaire(join(TEMPLATES_DIR, 'questionnaires', `${questionnaire}.json`)));
    cache.set(questionnaire, found);
  }
  return found;
}

/**
 * The questions a survey's results report: its questionnaire's; with a questionnaire per age
 * band (the Under-16 survey), every band's questions pooled by reportKey, grouped by who answers
 * them (the child's questions of 8-11 and 12-15 together, the parent's of all three together).
 */
export function surveyQuestionsOf(settings: Pick<SurveySettings, 'questionnaire' | 'questionnaireByAge'>): SurveyQuestions {
  const names = [...new Set([settings.questionnaire, ...(settings.questionnaireByAge ?? []).map((b) => b.questionnaire)])];
  if (names.length === 1) return surveyQuestions(names[0]);
  const key = names.join('+');
  let found = cache.get(key);
  if (!found) {
    found = pool(names.map((name) => ({ name, definition: surveyQuestions(name).definition })));
    cache.set(key, found);
  }
  return found;
}

/** Questionnaires' questions pooled by reportKey (by id when a question has none), each part's questions in their own section. */
export function pool(questionnaires: { name: string; definition: QuestionnaireDefinition }[]): SurveyQuestions {
  const sections: Section[] = [];
  const seen = new Map<string, { question: Question; from: string }>();
  const byQuestionnaire = new Map<string, Map<string, string>>();
  for (const { name, definition } of questionnaires) {
    const keys = new Map<string, string>();
    byQuestionnaire.set(name, keys);
    for (const section of definition.sections) {
      const respondent = section.respondent;
      let pooledSection = sections.find((s) => s.respondent === respondent);
      if (!pooledSection) {
        pooledSection = Object.assign(new (section.constructor as new () => Section)(), {
          title: respondent ? RESPONDENT_SECTIONS[respondent] : definition.title, respondent, questions: [] as Question[],
        });
        sections.push(pooledSection);
      }
      for (const q of section.questions) {
        const id = q.reportKey ?? q.id;
        keys.set(q.id, id);
        const earlier = seen.get(id);
        if (earlier) {
          const problem = poolingProblem(earlier.question, q);
          if (problem) throw new DomainError('invalid_state', `Question ${id} cannot be pooled across ${earlier.from} and ${name}: ${problem}`);
          continue;
        }
        const pooled = Object.assign(Object.create(Object.getPrototypeOf(q)), q, { id }) as Question;
        seen.set(id, { question: pooled, from: name });
        pooledSection.questions.push(pooled);
      }
    }
  }
  const first = questionnaires[0].definition;
  const adapted = adapt({ ...first, sections } as QuestionnaireDefinition);
  return { ...adapted, pooled: { byQuestionnaire, surveyQuestionnaire: questionnaires[0].name } };
}

/** Why two questions sharing a reportKey cannot be counted as one: their kind, options or score marks differ. */
function poolingProblem(a: Question, b: Question): string | null {
  if (a.type !== b.type) return `it is ${a.type} in one and ${b.type} in the other`;
  const marks = (q: Question) => (q.options ?? []).map((o) => `${o.code}:${o.score ?? ''}`).join(',');
  if (marks(a) !== marks(b)) return 'its option codes or score marks differ';
  if (a.min !== b.min || a.max !== b.max) return 'its rating scales differ';
  return null;
}

export function adapt(definition: QuestionnaireDefinition): SurveyQuestions {
  const questions = allQuestions(definition);
  const evaluative: EvaluativeQuestion[] = [];
  const frequency: FrequencyQuestion[] = [];
  for (const q of questions) {
    const options = (q.options ?? []).map((o) => ({ value: o.code, label: o.label, score: o.score }));
    if ((q.type === 'single' || q.type === 'multiple') && options.some((o) => o.score)) {
      evaluative.push({
        id: q.id, number: q.number, reportKey: q.reportKey, type: q.type,
        options: options.map((o) => ({ ...o, score: o.score ?? 'excluded' })),
      });
    }
    if (q.type !== 'text') {
      frequency.push({ id: q.id, number: q.number, type: q.type, options: options.map(({ value, label }) => ({ value, label })), min: q.min, max: q.max });
    }
  }
  const spread = questions.find((q) => q.reportKey === 'cancer_spread');
  const yes = spread?.options?.find((o) => /^yes\b/i.test(o.label));
  const respondentOf = new Map(definition.sections.flatMap((s) => (s.respondent ? s.questions.map((q) => [q.id, s.respondent!] as const) : [])));
  return {
    definition, evaluative, frequency, byId: new Map(questions.map((q) => [q.id, q])),
    cancerSpread: spread && yes ? { id: spread.id, yes: yes.code } : null, respondentOf,
  };
}
