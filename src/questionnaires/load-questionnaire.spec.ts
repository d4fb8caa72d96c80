import { join } from 'node:path';
import { DomainError } from '../infra/errors/domain-error';
import { allQuestions, loadQuestionnaire, parseQuestionnaire } from './load-questionnaire';

const CPES = join(__dirname, '../../templates/questionnaires/cpes-2026.json');
const clone = () => JSON.parse(JSON.stringify(require(CPES)));

function problems(definition: unknown): string[] {
  try {
    parseQuestionnaire(definition, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).details.map((d) => `${d.where}: ${d.message}`);
  }
  throw new Error('expected the definition to be refused');
}

describe('questionnaire definitions', () => {
  it('loads the CPES 2026 questionnaire: 60 questions, every type, routing, the report questions', () => {
    const q = loadQuestionnaire(CPES);
    const questions = allQuestions(q);
    expect(questions).toHaveLength(60);
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
    d.sections[0].questions[0].options[0].goTo = 61;
    expect(problems(d)).toEqual([
      'question 1 (gp_visits): option "None: I went straight to hospital" goes to question 61, but the last question is 60',
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

  it('refuses a file that is not JSON, saying which file', () => {
    expect(() => loadQuestionnaire(__filename)).toThrow('The questionnaire file is not valid JSON');
  });
});
