import { DomainError } from '../../src/infra/errors/domain-error';
import { parseQuestionnaire } from '../../src/questionnaires/load-questionnaire';

/** What parseQuestionnaire says is wrong with a definition it must refuse, as "where: message" lines. */
export function problems(definition: unknown): string[] {
  try {
    parseQuestionnaire(definition, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).details.map((d) => `${d.where}: ${d.message}`);
  }
  throw new Error('expected the definition to be refused');
}
