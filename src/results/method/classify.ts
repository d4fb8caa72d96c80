export type OptionScore = 'positive' | 'other' | 'excluded';
export type Classification = OptionScore | 'unanswered';

/** An evaluative question as the method needs it (the lead adapts the questionnaire definition). */
export interface EvaluativeQuestion {
  id: string;
  number: number;
  reportKey?: string;
  type: 'single' | 'multiple';
  options: { value: string; label: string; score: OptionScore }[];
}

/**
 * Where one respondent's answer puts them for a question's score. Multiple choice: positive
 * when any positive option is ticked, in the base (other) when any positive or other option
 * is, excluded when only excluded options are. A value that is not one of the question's
 * options counts as no answer.
 */
export function classify(question: EvaluativeQuestion, answers: Record<string, unknown>): Classification {
  return classifier(question)(answers);
}

/** classify for one question, its option lookup built once (scores run it for every respondent). */
export function classifier(question: EvaluativeQuestion): (answers: Record<string, unknown>) => Classification {
  const scoreOf = new Map<unknown, OptionScore>(question.options.map((o) => [o.value, o.score]));
  const { id, type } = question;
  return (answers) => {
    const value = Object.hasOwn(answers, id) ? answers[id] : undefined;
    if (value === undefined || value === null) return 'unanswered';
    if (!Array.isArray(value)) {
      // A lone value on a multiple-choice question is read as one tick.
      return scoreOf.get(value) ?? 'unanswered';
    }
    if (type === 'single') return 'unanswered';
    let seen: Classification = 'unanswered';
    for (const v of value) {
      const score = scoreOf.get(v);
      if (score === 'positive') return 'positive';
      if (score === 'other') seen = 'other';
      else if (score === 'excluded' && seen === 'unanswered') seen = 'excluded';
    }
    return seen;
  };
}
