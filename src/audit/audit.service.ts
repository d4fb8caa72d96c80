import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../infra/errors/domain-error';

export interface AuditEntry {
  actor: string;
  actorRole: string | null;
  /** What was done, e.g. "patient.read", "sample.import", "mailing.launch", "report.export". */
  action: string;
  surveyCode?: string;
  /** Survey references of the patients whose data was read or changed (one row each). */
  references?: string[];
  /** The file, step, trust or user concerned. */
  subject?: string | null;
  /** Never patient-identifiable: route, status, counts, option names. */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string; at: string; actor: string; actorRole: string | null; action: string; survey: string | null;
  reference: string | null; subject: string | null; details: Record<string, unknown>;
}

export interface AuditQuery { survey?: string; reference?: string; actor?: string; action?: string; from?: string; to?: string; limit?: number }

/**
 * The audit trail: who read or changed which patient's data, and every import, launch and
 * export, append-only (a trigger refuses changes). Rows name patients by their survey reference,
 * never by anything identifiable, so the trail outlives a replaced sample and the purge.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry): Promise<void> {
    const [survey] = entry.surveyCode
      ? await this.dataSource.query('SELECT id FROM surveys WHERE code = $1', [entry.surveyCode])
      : [undefined];
    const references = [...new Set(entry.references ?? [])];
    // Without a survey, a reference means the newest survey's patient (as the reprint route reads it).
    const patients: { id: string; survey_id: string; reference: string }[] = references.length
      ? await this.dataSource.query(
        `SELECT DISTINCT ON (p.survey_reference) p.id, p.survey_id, p.survey_reference AS reference FROM patients p JOIN surveys s ON s.id = p.survey_id
         WHERE p.survey_reference = ANY($1::text[]) AND ($2::uuid IS NULL OR p.survey_id = $2)
         ORDER BY p.survey_reference, s.period_start DESC`, [references, survey?.id ?? null])
      : [];
    const rows = patients.length ? patients : [{ id: null, survey_id: survey?.id ?? null, reference: null }];
    // The reference is kept as text: the row must still say whom it was about once a replaced
    // sample or the purge has removed the patient.
    await this.dataSource.query(
      `INSERT INTO audit_log (actor, actor_role, action, subject, details, patient_id, survey_id, patient_reference)
       SELECT $1, $2, $3, $4, $5, unnest($6::bigint[]), unnest($7::uuid[]), unnest($8::text[])`,
      [entry.actor, entry.actorRole, entry.action, entry.subject ?? null, entry.details ?? {},
        rows.map((r) => r.id), rows.map((r) => r.survey_id), rows.map((r) => r.reference)]);
  }

  async list(query: AuditQuery): Promise<{ entries: AuditRow[] }> {
    const problems = [
      ...(['from', 'to'] as const).filter((k) => query[k] !== undefined && !isTime(query[k]!))
        .map((where) => ({ where, message: 'must be a date or a date and time, e.g. 2026-11-20 or 2026-11-20T09:00:00Z' })),
      ...(query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit >= 1 && query.limit <= 1000)
        ? [{ where: 'limit', message: 'must be a whole number from 1 to 1000' }] : []),
    ];
    if (problems.length) throw new DomainError('validation_failed', `Invalid input: ${problems.map((p) => `${p.where} ${p.message}`).join('; ')}`, problems);
    const limit = query.limit ?? 200;
    if (query.reference && !query.survey) {
      throw new DomainError('validation_failed', 'A reference is looked up within a survey: give the survey too', [{ where: 'survey', message: 'Choose the survey too: a reference is looked up within a survey' }]);
    }
    const rows = await this.dataSource.query(
      `SELECT a.id::text, a.at, a.actor, a.actor_role AS "actorRole", a.action, s.code AS survey, a.patient_reference AS reference,
         a.subject, a.details
       FROM audit_log a LEFT JOIN surveys s ON s.id = a.survey_id
       WHERE ($1::text IS NULL OR s.code = $1) AND ($2::text IS NULL OR a.patient_reference = $2)
         AND ($3::text IS NULL OR a.actor = $3) AND ($4::text IS NULL OR a.action = $4)
         AND ($5::timestamptz IS NULL OR a.at >= $5) AND ($6::timestamptz IS NULL OR a.at < $6)
       ORDER BY a.id DESC LIMIT ${limit}`,
      [query.survey ?? null, query.reference ?? null, query.actor ?? null, query.action ?? null, query.from ?? null, query.to ?? null]);
    return { entries: rows.map((r: AuditRow & { at: Date }) => ({ ...r, at: r.at.toISOString() })) };
  }
}

const isTime = (text: string) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) && !Number.isNaN(Date.parse(text));

/** The patients a result is about, by reference: a single patient, or a list of matches. */
export function referencesIn(result: unknown): string[] {
  if (!result || typeof result !== 'object') return [];
  const r = result as { reference?: unknown; matches?: unknown; packs?: unknown; confirmedNotDelivered?: unknown };
  const refs: string[] = [];
  if (typeof r.reference === 'string') refs.push(r.reference);
  for (const list of [r.matches, r.packs, r.confirmedNotDelivered]) {
    if (Array.isArray(list)) for (const m of list) if (typeof m?.reference === 'string') refs.push(m.reference);
  }
  return refs;
}
