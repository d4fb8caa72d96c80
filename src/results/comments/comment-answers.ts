import type { EntityManager } from 'typeorm';
import { allQuestions } from '../../questionnaires/load-questionnaire';
import type { Question, QuestionnaireDefinition } from '../../questionnaires/questionnaire-definition';
import { redactorFor, type PatientIdentifiers } from './redact';

/** The questionnaire's free-text questions ("Any other comments?"), in questionnaire order. */
export const freeTextQuestions = (definition: QuestionnaireDefinition): Question[] =>
  allQuestions(definition).filter((q) => q.type === 'text');

/**
 * The patient's identifiers as the sample file gave them, read alongside their answers (all
 * NULL once purged, when the stored text is already the redacted one).
 */
export const IDENTIFIERS_SQL = `p.title, p.first_name, p.surname, p.address, p.postcode, p.nhs_number,
  to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.email, p.mobile`;

export interface IdentifierRow {
  title: string | null; first_name: string | null; surname: string | null; address: string[] | null; postcode: string | null;
  nhs_number: string | null; date_of_birth: string | null; email: string | null; mobile: string | null;
}

export const identifiersOf = (row: IdentifierRow): PatientIdentifiers => ({
  title: row.title, firstName: row.first_name, surname: row.surname, addressLines: row.address, postcode: row.postcode,
  nhsNumber: row.nhs_number, dateOfBirth: row.date_of_birth, email: row.email, mobile: row.mobile,
});

/** How many responses the purge rewrites per statement: bounded memory on a national survey. */
const BATCH = 2_000;

/**
 * The purge's step for free text (RESULTS-METHOD "Free text": the purge keeps only the
 * redacted text): every free-text answer of the survey's responses replaced by its redacted
 * version, in the caller's transaction, before the identities it is redacted against are
 * destroyed. Only the text answers are read and written back; other answers are untouched.
 * Returns how many responses changed.
 */
export async function redactStoredComments(m: EntityManager, surveyId: string, textQuestionIds: string[]): Promise<number> {
  if (!textQuestionIds.length) return 0;
  let changed = 0;
  let after = '0';
  for (;;) {
    const rows: (IdentifierRow & { id: string; texts: Record<string, unknown> })[] = await m.query(
      `SELECT r.id::text AS id, ${IDENTIFIERS_SQL},
         (SELECT jsonb_object_agg(key, value) FROM jsonb_each(r.answers) WHERE key = ANY($2::text[])) AS texts
       FROM responses r JOIN patients p ON p.id = r.patient_id
       WHERE r.survey_id = $1 AND r.id > $3::bigint AND r.answers ?| $2::text[]
       ORDER BY r.id LIMIT ${BATCH} FOR UPDATE OF r`, [surveyId, textQuestionIds, after]);
    if (!rows.length) return changed;
    after = rows[rows.length - 1].id;
    const ids: string[] = [];
    const texts: string[] = [];
    for (const row of rows) {
      const redact = redactorFor(identifiersOf(row));
      const redacted = Object.fromEntries(Object.entries(row.texts ?? {}).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]));
      if (JSON.stringify(redacted) === JSON.stringify(row.texts)) continue;
      ids.push(row.id);
      texts.push(JSON.stringify(redacted));
    }
    if (ids.length) {
      await m.query(
        `UPDATE responses r SET answers = r.answers || v.texts
         FROM unnest($1::bigint[], $2::jsonb[]) AS v(id, texts) WHERE r.id = v.id`, [ids, texts]);
      changed += ids.length;
    }
  }
}
