import type { Question, QuestionnaireDefinition } from '../questionnaires/questionnaire-definition';

export interface OnlineQuestionView {
  /** The question as asked online (never "circle a number"). */
  text: string;
  /** What to do, in screen words: the definition's `instruction` is the paper's ("Tick one box"). */
  hint: string;
  /** The section the question is in, with its explanation, as the paper prints them. */
  section?: { title: string; introduction?: string };
  /** Option codes (or rating numbers, as text) to show selected. */
  selected: string[];
  /** The text to show in a free-text box. */
  typed: string;
}

/**
 * What the online page for a question shows. `value` is the saved answer, or on an error page
 * what the patient just sent: their ticks and text stay as they left them (the GOV.UK and NHS
 * error pattern). Only plain values are kept; anything else (a crafted object) shows nothing.
 */
export function onlineQuestion(definition: QuestionnaireDefinition, q: Question, value: unknown): OnlineQuestionView {
  const section = definition.sections.find((s) => s.questions.includes(q));
  const scalars = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
  const [min, max] = [q.min ?? 0, q.max ?? 10];
  const hint = q.type === 'single' ? 'Select one answer'
    : q.type === 'multiple' ? 'Select all that apply'
      : q.type === 'rating' ? `Select a number from ${min} to ${max}, where ${min} means ${(q.minLabel ?? 'very poor').toLowerCase()} and ${max} means ${(q.maxLabel ?? 'very good').toLowerCase()}`
        : 'Type your answer in the box. Please do not include anyone’s name.';
  return {
    text: q.onlineText ?? q.text,
    hint,
    section: section && { title: section.title, introduction: section.introduction },
    selected: q.type === 'text' ? [] : scalars.map((v) => v.trim()),
    typed: q.type === 'text' && typeof value === 'string' ? value : '',
  };
}
