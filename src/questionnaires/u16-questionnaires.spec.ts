import { join } from 'node:path';
import { problems } from '../../test/support/questionnaire-refusals';
import { checkAnswers } from './answers';
import { allQuestions, isEvaluative, loadQuestionnaire } from './load-questionnaire';
import { partOf, questionnaireParts, splitByPart } from './questionnaire-parts';

const dir = join(__dirname, '../../templates/questionnaires');
const load = (name: string) => loadQuestionnaire(join(dir, `${name}.json`));
const clone = (name: string) => JSON.parse(JSON.stringify(require(join(dir, `${name}.json`))));

const keysOf = (d: ReturnType<typeof load>, part: string) => allQuestions(partOf(d, part)!).flatMap((q) => (q.reportKey ? [q.reportKey] : []));

describe('Under-16 questionnaires', () => {
  const [young, middle, older] = ['u16-0-7', 'u16-8-11', 'u16-12-15'].map(load);

  it('0-7 has only the parent or carer part; 8-11 and 12-15 the child part first, then the parent part', () => {
    expect(questionnaireParts(young).map((p) => p.part)).toEqual(['parent']);
    expect(questionnaireParts(middle).map((p) => p.part)).toEqual(['child', 'parent']);
    expect(questionnaireParts(older).map((p) => p.part)).toEqual(['child', 'parent']);
    expect(partOf(young, 'child')).toBeUndefined();
  });

  it('numbers each part from 1 and routes within it', () => {
    for (const d of [young, middle, older]) {
      for (const { definition } of questionnaireParts(d)) {
        expect(allQuestions(definition).map((q) => q.number)).toEqual(allQuestions(definition).map((_, i) => i + 1));
      }
    }
    // "No, I did not stay overnight" skips the ward questions of the child's part only.
    const child = partOf(middle, 'child')!;
    const checked = checkAnswers(child, { child_stayed_overnight: '2', child_things_to_do: '1', child_pain_help: '1' });
    expect(checked.routedPast.map((p) => p.where)).toEqual(['child_things_to_do']);
    expect(checked.answers).toEqual({ child_stayed_overnight: '2', child_pain_help: '1' });
  });

  it('shares report keys: child questions between 8-11 and 12-15, parent questions across all three, prefixed by who answers', () => {
    expect(keysOf(middle, 'child')).toEqual(keysOf(older, 'child'));
    expect(keysOf(young, 'parent')).toEqual(keysOf(middle, 'parent'));
    expect(keysOf(middle, 'parent')).toEqual(keysOf(older, 'parent'));
    expect(keysOf(older, 'child').every((k) => k.startsWith('child_'))).toBe(true);
    expect(keysOf(older, 'parent').every((k) => k.startsWith('parent_'))).toBe(true);
    for (const [part, key] of [['child', 'child_overall_rating'], ['parent', 'parent_overall_rating']]) {
      expect(allQuestions(partOf(older, part)!).find((q) => q.reportKey === key)).toMatchObject({ type: 'rating', min: 0, max: 10 });
    }
  });

  it('covers the themes of the survey, with evaluative questions scored and the child part in words for the age', () => {
    const titles = (d: ReturnType<typeof load>, part: string) => partOf(d, part)!.sections.map((s) => s.title).join(' | ');
    expect(titles(middle, 'child')).toMatch(/Finding out you were ill.*people who looked after you.*Being in hospital.*Feeling better.*Going home/);
    expect(titles(older, 'parent')).toMatch(/diagnosis.*staff.*ward, play and education.*Pain and support.*Going home.*Overall/);
    expect(allQuestions(middle).filter(isEvaluative).length).toBeGreaterThan(15);
    expect(allQuestions(partOf(middle, 'child')!).find((q) => q.id === 'child_told_understood')!.text)
      .not.toBe(allQuestions(partOf(older, 'child')!).find((q) => q.id === 'child_told_understood')!.text);
  });

  it('splits answers filed by question id into the parts they belong to', () => {
    const split = splitByPart(older, { child_staff_friendly: '1', parent_play: '2' });
    expect(split.map((s) => [s.part, s.raw])).toEqual([['child', { child_staff_friendly: '1' }], ['parent', { parent_play: '2' }]]);
  });

  it('refuses a definition where only some sections say who answers them', () => {
    const d = clone('u16-8-11');
    delete d.sections[1].respondent;
    expect(problems(d)).toEqual([
      'section 2 (The people who looked after you): has no respondent, but other sections have one: give every section a respondent (child or parent), or none',
    ]);
  });

  it('refuses an unknown respondent, a respondent whose sections are apart, and routing out of its part', () => {
    const bad = clone('u16-8-11');
    bad.sections[0].respondent = 'grandparent';
    expect(problems(bad)).toEqual(['section 1 (Finding out you were ill): respondent must be one of child, parent']);

    const apart = clone('u16-8-11');
    apart.sections.push(apart.sections[1]);
    apart.sections.splice(1, 1);
    expect(problems(apart)).toContainEqual(
      "section 12 (The people who looked after you): is for the child, but it does not follow the other sections for the child: keep each respondent's sections together");

    const routed = clone('u16-8-11');
    routed.sections[2].questions[0].options[1].goTo = 14; // the child's part has 12 questions
    expect(problems(routed)).toEqual([
      'question 5 (child_stayed_overnight) in the part for the child or young person: option "No" goes to question 14, but the last question is 12',
    ]);
  });

  it('refuses numbering that runs on from the child part into the parent part', () => {
    const d = clone('u16-12-15');
    d.sections[6].questions[0].number = 13;
    expect(problems(d)[0]).toBe('question 13 (parent_gp_visits) in the part for the parent or carer: is numbered 13 but is question 1 in order '
      + "(numbers run 1, 2, 3… across the sections of each respondent's part)");
  });
});
