import { join } from 'node:path';
import { TEMPLATES_DIR } from '../infra/paths';
import { checkAnswer, checkAnswers } from './answers';
import { allQuestions, loadQuestionnaire } from './load-questionnaire';

describe('answers checked against the questionnaire definition', () => {
  const cpes = loadQuestionnaire(join(TEMPLATES_DIR, 'questionnaires', 'cpes-2026.json'));

  it('keeps valid answers of every type, normalised', () => {
    const r = checkAnswers(cpes, {
      gp_visits: 2, gp_explained_referral: '1', had_diagnostic_test: '1', treatment_types: '1; 3',
      overall_rating: '9', anything_good: '  The nurses.  ', long_term_conditions: ['7'],
    });
    expect(r.problems).toEqual([]);
    expect(r.routedPast).toEqual([]);
    expect(r.answers).toEqual({
      gp_visits: '2', gp_explained_referral: '1', had_diagnostic_test: '1', treatment_types: ['1', '3'],
      overall_rating: 9, anything_good: 'The nurses.', long_term_conditions: ['7'],
    });
  });

  it('follows routing: an answer the routing skips is listed, not kept', () => {
    // Q1 "None: went straight to hospital" goes to Q3; Q3 "No" goes to Q7.
    const r = checkAnswers(cpes, { gp_visits: '1', gp_explained_referral: '2', had_diagnostic_test: '2', test_wait: '1', told_sensitively: '1' });
    expect(r.answers).toEqual({ gp_visits: '1', had_diagnostic_test: '2', told_sensitively: '1' });
    expect(r.routedPast.map((p) => p.where)).toEqual(['gp_explained_referral', 'test_wait']);
    expect(r.problems).toEqual([]);
  });

  it('names the question and the problem for each value it cannot store', () => {
    const r = checkAnswers(cpes, {
      gp_visits: '9', treatment_types: ['1', '7'], overall_rating: 11, nonsense: 'x', anything_good: 'x'.repeat(2001),
    });
    expect(r.problems).toEqual(expect.arrayContaining([
      { where: 'answers', message: 'answer 4 of 5 is filed under an id that is not a question of CPES-2026' },
      { where: 'gp_visits', message: 'question 1: the answer is not one of its options (1, 2, 3, 4, 5, 6)' },
      expect.objectContaining({ where: 'treatment_types', message: expect.stringContaining('cannot be combined with other options') }),
      { where: 'overall_rating', message: 'question 53: the rating must be a whole number from 0 to 10' },
      { where: 'anything_good', message: 'question 54: the answer is longer than 2000 characters' },
    ]));
    expect(r.problems).toHaveLength(5);
  });

  it('refuses values of the wrong kind and ids that are not questions, without repeating them', () => {
    const given = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "anything_good": {"toString": "t"}, "overall_rating": [9], "gp_visits": ["1"], "treatment_types": [{"code": "1"}]}');
    const r = checkAnswers(cpes, given);
    expect(r.answers).toEqual({});
    expect(r.problems).toEqual(expect.arrayContaining([
      { where: 'answers', message: 'answer 1 of 6 is filed under an id that is not a question of CPES-2026' },
      { where: 'answers', message: 'answer 2 of 6 is filed under an id that is not a question of CPES-2026' },
      { where: 'anything_good', message: 'question 54: the answer must be text' },
      { where: 'overall_rating', message: 'question 53: the rating must be a whole number' },
      { where: 'gp_visits', message: 'question 1: the answer must be one option code' },
      { where: 'treatment_types', message: expect.stringContaining('the answers must be option codes') },
    ]));
    expect(r.problems).toHaveLength(6);
    expect(checkAnswer(allQuestions(cpes)[53], 'kind\u0000staff').problem).toMatch(/NUL character/);
  });

  it('treats blanks as unanswered and refuses what is not an object', () => {
    expect(checkAnswers(cpes, { gp_visits: '', treatment_types: [], overall_rating: ' ' }).answers).toEqual({});
    expect(checkAnswers(cpes, ['1']).problems).toEqual([{ where: 'answers', message: 'answers must be an object of question id → answer' }]);
  });
});
