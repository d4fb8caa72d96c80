import { resolve } from 'node:path';
import { command } from '../cli/cli-command';
import { allQuestions, isEvaluative, loadQuestionnaire } from './load-questionnaire';

export const questionnaireCheck = command({
  name: 'questionnaire:check',
  summary: 'Check a questionnaire definition (JSON in templates/questionnaires/) and summarise it',
  options: { file: { type: 'string', required: true, description: 'path to the definition' } },
  needsApp: false,
  async run({ options }) {
    const definition = loadQuestionnaire(resolve(options.file));
    const questions = allQuestions(definition);
    const summary = {
      code: definition.code,
      title: definition.title,
      // With respondents, numbers restart in each respondent's part: the section says whose it is.
      sections: definition.sections.map((s) => ({ title: s.title, ...(s.respondent ? { respondent: s.respondent } : {}), questions: s.questions.map((q) => q.number) })),
      questions: questions.length,
      byType: Object.fromEntries(['single', 'multiple', 'rating', 'text'].map((t) => [t, questions.filter((q) => q.type === t).length])),
      routed: questions.filter((q) => q.goTo !== undefined || q.options?.some((o) => o.goTo !== undefined)).map((q) => q.number),
      evaluative: questions.filter(isEvaluative).map((q) => q.number),
      reportKeys: Object.fromEntries(questions.filter((q) => q.reportKey).map((q) => [q.reportKey!, q.number])),
    };
    return {
      json: summary,
      text: `${summary.title}: ${summary.questions} questions in ${summary.sections.length} sections; routing at ${summary.routed.join(', ') || 'none'}; `
        + `${summary.evaluative.length} evaluative (scored) questions.`,
    };
  },
});
