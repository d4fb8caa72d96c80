import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { lockForSuppressionChange } from '../mailings/suppression';
import { parseSampleDate } from '../samples/rules/dates';
import { detectFormat, readSampleFile } from '../samples/sample-file-reader';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { assertStillTakingResponses, assertTakingResponses } from './fieldwork-open';
import { EventKind, outcomeOf, PatientOutcome, recordEvent, todayInEngland } from './patient-events';
import { findManyByReference, inRowOrder, PatientRef, requireByReference } from './patient-reference';

export const RETURN_TYPES = ['completed', 'blank', 'undelivered'] as const;
export type ReturnType = (typeof RETURN_TYPES)[number];

const EVENT_OF: Record<ReturnType, EventKind> = { completed: 'completed', blank: 'blank_return', undelivered: 'undelivered' };
const MAX_LISTED_PROBLEMS = 200;

export interface BookedReturn {
  reference: string;
  trustCode: string;
  type: ReturnType;
  receivedOn: string;
  /** False when this envelope was booked in before (same reference, type and date). */
  recorded: boolean;
  outcome: PatientOutcome;
}

export interface ReturnsFileSummary {
  survey: string;
  fileName: string;
  rowsRead: number;
  /** New returns booked in by this import. */
  recorded: number;
  /** Rows already booked in (by an earlier import or at the scanner). */
  alreadyRecorded: number;
  byType: Record<ReturnType, number>;
}

/**
 * The post room: envelopes that come back, booked in by survey reference one at a time (a
 * barcode scanner types the reference and Enter) or by file. A completed questionnaire is
 * outcome 1, a blank one an opt-out (4), an undelivered envelope outcome 2; each stops further
 * mail from the moment it is recorded. The same envelope booked twice is one event.
 */
@Injectable()
export class ReturnsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
  ) {}

  async bookIn(surveyCode: string, input: { reference: string; type: string; receivedOn?: string }, by: string): Promise<BookedReturn> {
    const survey = await this.surveys.get(surveyCode);
    assertTakingResponses(survey);
    const type = returnType(input.type);
    if (!type) throw new DomainError('validation_failed', `The return type must be one of ${RETURN_TYPES.join(', ')}`, [{ where: 'type', message: 'unknown' }]);
    const receivedOn = input.receivedOn === undefined ? todayInEngland() : receivedDate(input.receivedOn);
    if (typeof receivedOn !== 'string') throw new DomainError('validation_failed', receivedOn.problem, [{ where: 'receivedOn', message: receivedOn.problem }]);
    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const patient = await requireByReference(m, survey.id, survey.code, input.reference);
      const { recorded } = await this.record(m, survey, patient, type, receivedOn, by, 'post_room');
      return { reference: patient.reference, trustCode: patient.trustCode, type, receivedOn, recorded, outcome: await outcomeOf(m, patient.id) };
    });
  }

  /** A returns file (reference, received_date, type): all rows or none; unknown references are reported, not guessed. */
  async importFile(surveyCode: string, path: string, fileName: string, by: string): Promise<ReturnsFileSummary> {
    const survey = await this.surveys.get(surveyCode);
    assertTakingResponses(survey);
    const rows: { rowNumber: number; reference: string; receivedOn: string; type: ReturnType }[] = [];
    const problems: ErrorDetail[] = [];
    let columns: Record<'reference' | 'received_date' | 'type', number> | undefined;
    for await (const { rowNumber, cells } of readSampleFile(path, await detectFormat(path))) {
      if (!columns) {
        const names = cells.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s-]+/g, '_'));
        const find = (...aliases: string[]) => names.findIndex((n) => aliases.includes(n));
        columns = { reference: find('reference', 'survey_reference'), received_date: find('received_date', 'received', 'received_on'), type: find('type', 'return_type') };
        const missing = Object.entries(columns).filter(([, i]) => i < 0).map(([name]) => name);
        if (missing.length) throw new DomainError('file_rejected', `The file lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        continue;
      }
      if (cells.every((c) => !c?.trim())) continue;
      const cell = (i: number) => (cells[i] ?? '').trim();
      const type = returnType(cell(columns.type));
      const receivedOn = receivedDate(cell(columns.received_date));
      if (!type) problems.push({ where: `row ${rowNumber}, type`, message: `must be one of ${RETURN_TYPES.join(', ')}` });
      if (typeof receivedOn !== 'string') problems.push({ where: `row ${rowNumber}, received_date`, message: receivedOn.problem });
      rows.push({ rowNumber, reference: cell(columns.reference), receivedOn: receivedOn as string, type: type! });
    }
    if (!columns) throw new DomainError('file_rejected', 'The file is empty: it needs a header row with reference, received_date and type');

    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const patients = await findManyByReference(m, survey.id, survey.code, rows.map((r) => r.reference));
      patients.forEach((found, i) => {
        if ('problem' in found) problems.push({ where: `row ${rows[i].rowNumber}, reference`, message: found.problem });
      });
      if (problems.length) {
        throw new DomainError('file_rejected',
          `${problems.length} problem${problems.length > 1 ? 's' : ''} found in the file; nothing was booked in. Correct the file and import it again.`,
          problems.sort(inRowOrder).slice(0, MAX_LISTED_PROBLEMS));
      }
      // One statement for the whole file; rows already booked in (same key) are skipped by the unique index.
      const inserted: { kind: EventKind }[] = await m.query(
        `INSERT INTO patient_events (survey_id, patient_id, kind, mode, occurred_on, recorded_by, source, dedupe_key)
         SELECT DISTINCT ON (r.patient_id, r.key) $1::uuid, r.patient_id, r.kind, r.mode, r.occurred_on, $2, 'returns_file', r.key
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::date[], $7::text[]) AS r(patient_id, kind, mode, occurred_on, key)
         ON CONFLICT (patient_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING kind`,
        [survey.id, by, patients.map((p) => (p as { patient: PatientRef }).patient.id), rows.map((r) => EVENT_OF[r.type]),
          rows.map((r) => (r.type === 'completed' ? 'paper' : null)), rows.map((r) => r.receivedOn),
          rows.map((r) => `return:${r.type}:${r.receivedOn}`)]);
      const byType = { completed: 0, blank: 0, undelivered: 0 };
      for (const e of inserted) byType[RETURN_TYPES.find((t) => EVENT_OF[t] === e.kind)!]++;
      return { survey: survey.code, fileName, rowsRead: rows.length, recorded: inserted.length, alreadyRecorded: rows.length - inserted.length, byType };
    });
  }

  private record(m: EntityManager, survey: Survey, patient: PatientRef, type: ReturnType, receivedOn: string, by: string, source: 'post_room' | 'returns_file') {
    return recordEvent(m, {
      surveyId: survey.id, patientId: patient.id, kind: EVENT_OF[type], mode: type === 'completed' ? 'paper' : undefined,
      occurredOn: receivedOn, recordedBy: by, source, dedupeKey: `return:${type}:${receivedOn}`,
    });
  }
}

function returnType(raw: string): ReturnType | undefined {
  const value = raw.trim().toLowerCase();
  return (RETURN_TYPES as readonly string[]).includes(value) ? (value as ReturnType) : undefined;
}

/** A received date: a real date, not in the future. */
export function receivedDate(raw: string): string | { problem: string } {
  const iso = parseSampleDate(raw.trim());
  if (!iso) return { problem: 'the received date must be a real date written YYYY-MM-DD or DD/MM/YYYY' };
  if (iso > todayInEngland()) return { problem: `received date ${iso} is in the future` };
  return iso;
}

