import { ageOn, questionnaireForAge } from './questionnaire-choice';
import { parseSurveySettings } from './survey-settings';

describe('questionnaire by age on the fieldwork start date', () => {
  const u16 = parseSurveySettings({}, 'under16');

  it('counts a birthday on the day as a year older', () => {
    expect(ageOn('2018-03-01', '2026-03-01')).toBe(8);
    expect(ageOn('2018-03-02', '2026-03-01')).toBe(7);
    expect(ageOn('2016-02-29', '2024-02-28')).toBe(7);
    expect(ageOn('2016-02-29', '2024-02-29')).toBe(8);
  });

  it.each([
    [0, 'u16-0-7'], [7, 'u16-0-7'], [8, 'u16-8-11'], [11, 'u16-8-11'], [12, 'u16-12-15'], [15, 'u16-12-15'],
    [16, 'u16-12-15'], [17, 'u16-12-15'],
  ])('age %i gets %s', (age, expected) => {
    expect(questionnaireForAge(u16, age)).toBe(expected);
  });

  it('gives adults the survey questionnaire whatever their age', () => {
    const adult = parseSurveySettings({});
    expect(questionnaireForAge(adult, 16)).toBe('cpes-2026');
    expect(questionnaireForAge(adult, 90)).toBe('cpes-2026');
  });
});

describe('Under-16 defaults', () => {
  it('start from the programme facts and keep every rule a setting', () => {
    const s = parseSurveySettings({}, 'under16');
    expect(s).toMatchObject({
      minimumAge: 0, maximumAge: 15, ptcOnly: true, addressee: 'parent_or_carer',
      icd10Scope: ['C00-C97', 'D32-D33', 'D35.2-D35.4', 'D42-D43', 'D44.3-D44.5'],
    });
    expect(s.mailingPlan?.map((step) => [step.name, step.day])).toEqual([['initial', 0], ['reminder_1', 21]]);
  });

  it('leave the adult defaults as they were', () => {
    const s = parseSurveySettings({});
    expect(s).toMatchObject({ minimumAge: 16, ptcOnly: false, addressee: 'patient', icd10Scope: ['C00-C97', 'D05'] });
    expect(s.maximumAge).toBeUndefined();
    expect(s.questionnaireByAge).toBeUndefined();
  });

  it('refuse overlapping age bands, naming the band', () => {
    expect(() => parseSurveySettings({ questionnaireByAge: [
      { fromAge: 0, toAge: 8, questionnaire: 'u16-0-7' }, { fromAge: 8, toAge: 15, questionnaire: 'u16-8-11' },
    ] }, 'under16')).toThrow(/questionnaireByAge\[1\]/);
  });
});
