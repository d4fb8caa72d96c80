import type { EntityManager } from 'typeorm';

export const EVENT_KINDS = ['completed', 'blank_return', 'undelivered', 'opt_out', 'too_ill', 'deceased', 'ineligible',
  'alternative_format', 'address_change', 'replacement', 'query'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type ResponseMode = 'paper' | 'online' | 'phone';
export type EventSource = 'post_room' | 'returns_file' | 'online' | 'scan' | 'helpline' | 'system';

export interface NewEvent {
  surveyId: string;
  patientId: string;
  kind: EventKind;
  mode?: ResponseMode;
  occurredOn: string;
  recordedBy: string;
  source: EventSource;
  /** Events with the same key for a patient are one event: a second recording changes nothing. */
  dedupeKey?: string;
  details?: Record<string, unknown>;
}

/** Appends an event to the patient's history; `recorded` is false when it was already there. */
export async function recordEvent(m: Pick<EntityManager, 'query'>, e: NewEvent): Promise<{ id: string | null; recorded: boolean }> {
  const rows: { id: string }[] = await m.query(
    `INSERT INTO patient_events (survey_id, patient_id, kind, mode, occurred_on, recorded_by, source, dedupe_key, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (patient_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id::text AS id`,
    [e.surveyId, e.patientId, e.kind, e.mode ?? null, e.occurredOn, e.recordedBy, e.source, e.dedupeKey ?? null, e.details ?? {}]);
  return rows.length ? { id: rows[0].id, recorded: true } : { id: null, recorded: false };
}

export const OUTCOME_LABELS: Record<number, string> = {
  1: 'completed questionnaire returned',
  2: 'returned undelivered / moved house',
  3: 'died during fieldwork',
  4: 'opted out, too ill or returned blank',
  5: 'not eligible',
  6: 'no response',
  7: 'died before fieldwork',
};

export interface PatientOutcome { code: number; label: string; responseMode: ResponseMode | null; respondedOn: string | null }

/** The patient's outcome code as the `patient_outcomes` view derives it from their history. */
export async function outcomeOf(m: Pick<EntityManager, 'query'>, patientId: string): Promise<PatientOutcome> {
  const [row] = await m.query(
    `SELECT outcome, response_mode, to_char(responded_on, 'YYYY-MM-DD') AS responded_on FROM patient_outcomes WHERE patient_id = $1`,
    [patientId]);
  return { code: row.outcome, label: OUTCOME_LABELS[row.outcome], responseMode: row.response_mode, respondedOn: row.responded_on };
}

/** Today's date in England, where fieldwork happens (a return booked at 00:30 BST is today's). */
export function todayInEngland(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
}
