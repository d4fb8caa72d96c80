import type { Question, QuestionnaireDefinition, Respondent } from './questionnaire-definition';

/**
 * A questionnaire is completed and stored in parts: the adult questionnaire is one part
 * ('whole'); one with respondent sections (the Under-16 survey's) has a part per respondent,
 * each returned on its own, possibly by different people at different times.
 */
export const RESPONSE_PARTS = ['whole', 'child', 'parent'] as const;
export type ResponsePart = 'whole' | Respondent;

export interface QuestionnairePart {
  part: ResponsePart;
  /** The part as a questionnaire of its own: its sections, numbered from 1, routed within. */
  definition: QuestionnaireDefinition;
}

/** How each part is named to the people answering it. */
export const PART_NAMES: Record<ResponsePart, string> = {
  whole: 'questionnaire',
  child: 'the child or young person',
  parent: 'the parent or carer',
};

/** Headings printed over each respondent's part of a pack and shown online. */
export const PART_HEADINGS: Record<Respondent, string> = {
  child: 'For the child or young person to answer',
  parent: 'For the parent or carer to answer',
};

const cache = new WeakMap<QuestionnaireDefinition, QuestionnairePart[]>();

export const hasRespondents = (definition: QuestionnaireDefinition): boolean => definition.sections.some((s) => s.respondent);

/**
 * The definition's parts in order. Part definitions share the question objects of the whole
 * (and are built once per definition), so a question found in a part is the whole's question.
 */
export function questionnaireParts(definition: QuestionnaireDefinition): QuestionnairePart[] {
  let parts = cache.get(definition);
  if (!parts) {
    if (!hasRespondents(definition)) parts = [{ part: 'whole', definition }];
    else {
      parts = [];
      for (const section of definition.sections) {
        const last = parts[parts.length - 1];
        if (last && last.part === section.respondent) last.definition.sections.push(section);
        else parts.push({ part: section.respondent!, definition: { ...definition, sections: [section] } });
      }
    }
    cache.set(definition, parts);
  }
  return parts;
}

/** One part's definition; undefined when the questionnaire has no such part (e.g. the child's in the 0-7 questionnaire). */
export function partOf(definition: QuestionnaireDefinition, part: string): QuestionnaireDefinition | undefined {
  return questionnaireParts(definition).find((p) => p.part === part)?.definition;
}

/** The part a question belongs to. */
export function partOfQuestion(definition: QuestionnaireDefinition, id: string): ResponsePart | undefined {
  return questionnaireParts(definition).find((p) => p.definition.sections.some((s) => s.questions.some((q: Question) => q.id === id)))?.part;
}

/**
 * Splits answers filed by question id (a scanned pack, a phone interview) into the parts their
 * questions belong to; ids that are no question go with the first part, where checking reports them.
 */
export function splitByPart(definition: QuestionnaireDefinition, raw: Record<string, unknown>): { part: ResponsePart; definition: QuestionnaireDefinition; raw: Record<string, unknown> }[] {
  const parts = questionnaireParts(definition).map((p) => ({ ...p, raw: {} as Record<string, unknown> }));
  for (const [id, value] of Object.entries(raw)) {
    const part = partOfQuestion(definition, id);
    // Defined, not assigned: an id such as "__proto__" must stay an answer, not become a prototype.
    Object.defineProperty((parts.find((p) => p.part === part) ?? parts[0]).raw, id, { value, enumerable: true, writable: true, configurable: true });
  }
  return parts;
}
