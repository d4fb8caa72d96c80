import type { EntityManager } from 'typeorm';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { parseReference } from '../samples/survey-reference';

export interface PatientRef { id: string; surveyId: string; trustCode: string; reference: string }

/** Why a typed or scanned reference names nobody in the survey, or null with the patient. */
export async function findByReference(
  m: Pick<EntityManager, 'query'>, surveyId: string, surveyCode: string, raw: string,
): Promise<{ patient: PatientRef } | { problem: string }> {
  const parsed = parseReference(raw ?? '');
  if (!parsed.ok) return { problem: referenceProblem(raw, parsed.problem) };
  const [row] = await m.query(
    `SELECT id::text AS id, survey_id AS "surveyId", trust_code AS "trustCode", survey_reference AS reference
     FROM patients WHERE survey_id = $1 AND survey_reference = $2`, [surveyId, parsed.reference]);
  return row ? { patient: row } : { problem: NOT_A_PATIENT };
}

const NOT_A_PATIENT = 'No patient of this survey has that reference: check the survey reference';

/** findByReference for a whole file, in one query: one answer per reference given, in order. */
export async function findManyByReference(
  m: Pick<EntityManager, 'query'>, surveyId: string, surveyCode: string, raws: string[],
): Promise<({ patient: PatientRef } | { problem: string })[]> {
  const parsed = raws.map((raw) => ({ raw, check: parseReference(raw ?? '') }));
  const wanted = [...new Set(parsed.flatMap((p) => (p.check.ok ? [p.check.reference] : [])))];
  const rows: PatientRef[] = await m.query(
    `SELECT id::text AS id, survey_id AS "surveyId", trust_code AS "trustCode", survey_reference AS reference
     FROM patients WHERE survey_id = $1 AND survey_reference = ANY($2::text[])`, [surveyId, wanted]);
  const byReference = new Map(rows.map((r) => [r.reference, r]));
  return parsed.map(({ raw, check }) => {
    if (!check.ok) return { problem: referenceProblem(raw, check.problem) };
    const patient = byReference.get(check.reference);
    return patient ? { patient } : { problem: NOT_A_PATIENT };
  });
}

/** As findByReference, refusing clearly when the reference is wrong. */
export async function requireByReference(
  m: Pick<EntityManager, 'query'>, surveyId: string, surveyCode: string, raw: string,
): Promise<PatientRef> {
  const found = await findByReference(m, surveyId, surveyCode, raw);
  if ('problem' in found) {
    const code = found.problem === NOT_A_PATIENT ? 'not_found' : 'validation_failed';
    throw new DomainError(code, found.problem, [{ where: 'reference', message: found.problem }]);
  }
  return found.patient;
}

/** The canonical form of a typed reference, or a refusal that says what is wrong with it. */
export function parseReferenceOrThrow(raw: string): string {
  const parsed = parseReference(raw ?? '');
  if (!parsed.ok) throw new DomainError('validation_failed', referenceProblem(raw, parsed.problem), [{ where: 'reference', message: referenceProblem(raw, parsed.problem) }]);
  return parsed.reference;
}

/** Problems listed in file order ("row 12, …" sorts by row number). */
export const inRowOrder = (a: ErrorDetail, b: ErrorDetail) => rowOf(a) - rowOf(b);
const rowOf = (p: ErrorDetail) => Number(/^row (\d+)/.exec(p.where ?? '')?.[1] ?? 0);

function referenceProblem(raw: string, problem: 'format' | 'check_digit'): string {
  return problem === 'check_digit'
    // Not echoed: what was typed may be something else entirely, such as an NHS number.
    ? 'This is not a valid survey reference: the check digit does not match (a mistyped or misread character? Ask for it to be read again)'
    : 'This is not a survey reference such as RXX-004821-7';
}
