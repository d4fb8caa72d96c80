import { join } from 'node:path';
import { TEMPLATES_DIR } from '../infra/paths';
import { allQuestions, loadQuestionnaire } from '../questionnaires/load-questionnaire';
import type { Question, QuestionnaireDefinition } from '../questionnaires/questionnaire-definition';
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
}

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
  return {
    definition, evaluative, frequency, byId: new Map(questions.map((q) => [q.id, q])),
    cancerSpread: spread && yes ? { id: spread.id, yes: yes.code } : null,
  };
}
