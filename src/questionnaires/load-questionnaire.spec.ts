import { join } from 'node:path';
import { problems } from '../../test/support/questionnaire-refusals';
import { allQuestions, isEvaluative, loadQuestionnaire } from './load-questionnaire';

const CPES = join(__dirname, '../../templates/questionnaires/cpes-2026.json');
const clone = () => JSON.parse(JSON.stringify(require(CPES)));

describe('questionnaire definitions', () => {
  it('loads the CPES 2026 questionnaire: 61 questions, every type, routing, the report questions', () => {
    const q = loadQuestionnaire(CPES);
    const questions = allQuestions(q);
    expect(questions).toHaveLength(61);
    expect(new Set(questions.map((x) => x.type))).toEqual(new Set(['single', 'multiple', 'rating', 'text']));
    const rating = questions.find((x) => x.reportKey === 'overall_care_rating')!;
    expect(rating).toMatchObject({ type: 'rating', min: 0, max: 10 });
    expect(questions.find((x) => x.reportKey === 'cancer_spread')!.text).toMatch(/has your cancer spread/i);
    const first = questions[0];
    expect(first.options!.find((o) => o.goTo !== undefined)).toMatchObject({ goTo: 3 });
  });

  it('names the question whose routing goes backwards or past the end', () => {
    const d = clone();
    d.sections[1].questions[0].options[1].goTo = 2;
    d.sections[0].questions[0].options[0].goTo = 62;
    expect(problems(d)).toEqual([
      'question 1 (gp_visits): option "None: I went straight to hospital" goes to question 62, but the last question is 61',
      'question 3 (had_diagnostic_test): option "No" goes to question 2, which does not come after it',
    ]);
  });

  it('names misnumbered questions, repeated ids and option codes, and misplaced settings', () => {
    const d = clone();
    d.sections[0].questions[1].number = 5;
    d.sections[2].questions[0].id = 'gp_visits';
    d.sections[2].questions[1].options[1].code = '1';
    d.sections[2].questions[2].type = 'rating';
    expect(problems(d)).toEqual([
      'question 5 (gp_explained_referral): is numbered 5 but is question 2 in order (numbers run 1, 2, 3… across sections)',
      'question 7 (gp_visits): id gp_visits is used by an earlier question',
      'question 8 (understood_diagnosis): option code 1 is used twice',
      'question 9 (written_information): a rating question has no options',
      'question 9 (written_information): a rating question is not evaluative: only single- and multiple-choice answers are scored',
      'question 9 (written_information): a rating question needs min and max',
      'question 9 (written_information): a rating question needs minLabel and maxLabel for the ends of its scale',
    ]);
  });

  it('names the question with a missing or malformed field, and unknown fields', () => {
    const d = clone();
    delete d.sections[0].questions[1].text;
    d.sections[0].questions[0].type = 'dropdown';
    d.sections[0].questions[0].colour = 'blue';
    const found = problems(d);
    expect(found).toEqual(expect.arrayContaining([
      'question 2 (gp_explained_referral): text must be a string',
      expect.stringMatching(/^question 1 \(gp_visits\): type must be one of the following values/),
      'question 1 (gp_visits): property colour should not exist',
    ]));
  });

  it('marks every option of the evaluative questions, and only those, with a positive answer each', () => {
    const questions = allQuestions(loadQuestionnaire(CPES));
    const evaluative = questions.filter(isEvaluative);
    expect(evaluative.map((q) => q.number)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 24, 25,
      27, 28, 29, 30, 31, 32, 33, 34, 36, 37, 38, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 52]);
    for (const q of evaluative) {
      expect([q.id, q.options!.every((o) => ['positive', 'other', 'excluded'].includes(o.score!))]).toEqual([q.id, true]);
      expect([q.id, q.options!.some((o) => o.score === 'positive')]).toEqual([q.id, true]);
    }
    // Filter questions, the clinical ones, the rating, free text and "About you" carry no marks.
    const unscored = questions.filter((q) => !isEvaluative(q));
    expect(unscored.map((q) => q.id)).toEqual(['had_diagnostic_test', 'had_operation', 'stayed_overnight', 'day_or_outpatient', 'treatment_types',
      'cancer_spread', 'overall_rating', 'anything_good', 'could_improve', 'other_comments', 'long_term_conditions', 'gender', 'ethnic_group',
      'sexual_orientation', 'completed_by']);
    expect(unscored.flatMap((q) => q.options ?? []).filter((o) => o.score !== undefined)).toEqual([]);
    // "Don't know" is never in a score's base.
    expect(evaluative.flatMap((q) => q.options!).filter((o) => /don't know/i.test(o.label)).map((o) => o.score))
      .toEqual(expect.arrayContaining(['excluded']));
    expect(evaluative.flatMap((q) => q.options!).filter((o) => /don't know/i.test(o.label) && o.score !== 'excluded')).toEqual([]);
  });

  it('asks about the signs of the cancer coming back, before who to contact, with the routing around it intact', () => {
    const questions = allQuestions(loadQuestionnaire(CPES));
    const q = questions.find((x) => x.reportKey === 'recurrence_signs')!;
    expect(q).toMatchObject({ number: 45, id: 'recurrence_signs', type: 'single', text: expect.stringMatching(/signs and symptoms.*come back/) });
    expect(q.options!.map((o) => [o.label, o.score])).toEqual([
      ['Yes', 'positive'], ['No', 'other'], ['It was not relevant to me', 'excluded'], ["Don't know / can't remember", 'excluded'],
    ]);
    expect(questions.map((x) => x.id).slice(43, 46)).toEqual(['care_plan', 'recurrence_signs', 'who_to_contact']);
    // Everyone who reaches care_plan reaches it: no routing skips it or leaves from the questions around it.
    const routes = questions.flatMap((x) => [x.goTo, ...(x.options ?? []).map((o) => o.goTo)].filter((g) => g !== undefined).map((g) => [x.number, g]));
    expect(routes).toEqual([[1, 3], [3, 7], [16, 19], [16, 19], [23, 26], [26, 35], [35, 39]]);
    expect(questions.find((x) => x.reportKey === 'cancer_spread')).toMatchObject({ number: 51, options: [{ label: 'Yes' }, { label: 'No' }, expect.anything()] });
  });

  it('names the question with a bad scoring mark: no positive answer, an unmarked option, an unknown mark, a mark on a rating', () => {
    const d = clone();
    const byId = (id: string) => d.sections.flatMap((s: any) => s.questions).find((q: any) => q.id === id);
    for (const o of byId('gp_explained_referral').options) if (o.score === 'positive') o.score = 'other';
    delete byId('test_wait').options[3].score;
    byId('told_sensitively').options[0].score = 'good';
    byId('overall_rating').options = [{ code: '1', label: 'Ten', score: 'positive' }];
    expect(problems(d)).toEqual([
      'question 7 (told_sensitively), option 1: score must be positive, other or excluded',
    ]);
    byId('told_sensitively').options[0].score = 'positive';
    expect(problems(d)).toEqual([
      'question 2 (gp_explained_referral): is evaluative (its options are scored) but no option is marked positive',
      'question 5 (test_wait): is evaluative (some of its options are scored) but option "Don\'t know / can\'t remember" has no score: mark every option positive, other or excluded, or none',
      'question 53 (overall_rating): a rating question has no options',
      'question 53 (overall_rating): a rating question is not evaluative: only single- and multiple-choice answers are scored',
    ]);
  });

  it('refuses a file that is not JSON, saying which file', () => {
    expect(() => loadQuestionnaire(__filename)).toThrow('The questionnaire file is not valid JSON');
  });
});
