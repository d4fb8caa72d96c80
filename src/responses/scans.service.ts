import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { lockForSuppressionChange } from '../mailings/suppression';
import { Answers, checkAnswers } from '../questionnaires/answers';
import { allQuestions } from '../questionnaires/load-questionnaire';
import { ResponsePart, splitByPart } from '../questionnaires/questionnaire-parts';
import { detectFormat, readSampleFile } from '../samples/sample-file-reader';
import { SurveysService } from '../surveys/surveys.service';
import { assertStillTakingResponses, assertTakingResponses } from './fieldwork-open';
import { findManyByReference, inRowOrder, PatientRef } from './patient-reference';
import { ResponsesService } from './responses.service';
import { receivedDate } from './returns.service';

export interface ScansFileSummary {
  survey: string;
  fileName: string;
  rowsRead: number;
  /** New responses stored by this import. */
  recorded: number;
  /** Rows whose response this file already stored (an earlier import of it). */
  alreadyRecorded: number;
  /** Rows with no answered question: blank returns (outcome 4), stored as events, not responses. */
  blankReturns: number;
  /** Rows for patients who had already responded another way (online, phone): the first response counts. */
  alreadyResponded: number;
  /** Answers to questions the respondent's routing skipped: dropped, as paper cleaning does. */
  routedPastDropped: { row: number; question: string }[];
}

const MAX_LISTED_PROBLEMS = 200;

/**
 * The scanning bureau's file of paper answers: a `reference` column, `received_date`, and one
 * column per question id (multiple choice as codes separated by ";"). Checked like online
 * answers, all rows or none; answers that routing skips are dropped and listed (people do
 * tick filtered questions on paper). A row with no answered question is a blank return.
 */
@Injectable()
export class ScansService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly responses: ResponsesService,
  ) {}

  async importFile(surveyCode: string, path: string, fileName: string, by: string): Promise<ScansFileSummary> {
    const survey = await this.surveys.get(surveyCode);
    assertTakingResponses(survey);
    // A survey with a questionnaire per age band: a file may hold packs of each, so a column is
    // any of their questions, and each row is checked against its patient's own questionnaire.
    const questionIds = new Set(this.responses.questionnairesOf(survey).flatMap((d) => allQuestions(d).map((q) => q.id)));
    const rows: { rowNumber: number; reference: string; receivedOn: string; raw: Record<string, string>; dateProblem?: ErrorDetail }[] = [];
    let header: string[] | undefined;
    for await (const { rowNumber, cells } of readSampleFile(path, await detectFormat(path))) {
      if (!header) {
        header = cells.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase());
        const missing = ['reference', 'received_date'].filter((c) => !header!.includes(c));
        if (missing.length) throw new DomainError('file_rejected', `The file lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        const unknown = header.filter((c) => c && c !== 'reference' && c !== 'received_date' && !questionIds.has(c));
        if (unknown.length) {
          // Named by position, not by the heading typed: headings are the file's text.
          const positions = header.flatMap((c, i) => (unknown.includes(c) ? [`column ${i + 1}`] : []));
          throw new DomainError('file_rejected', `${positions.join(', ')} ${positions.length > 1 ? 'are' : 'is'} not a question of this survey's questionnaire: use the question ids`,
            positions.map((where) => ({ where, message: 'not a question id' })));
        }
        continue;
      }
      if (cells.every((c) => !c?.trim())) continue;
      const raw: Record<string, string> = {};
      header.forEach((column, i) => { if (questionIds.has(column) && cells[i]?.trim()) raw[column] = cells[i].trim(); });
      const received = receivedDate(cells[header.indexOf('received_date')] ?? '');
      rows.push({
        rowNumber, reference: (cells[header.indexOf('reference')] ?? '').trim(), receivedOn: received as string, raw,
        dateProblem: typeof received === 'string' ? undefined : { where: `row ${rowNumber}, received_date`, message: received.problem },
      });
    }
    if (!header) throw new DomainError('file_rejected', 'The file is empty: it needs a header row with reference, received_date and question ids');

    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const found = await findManyByReference(m, survey.id, survey.code, rows.map((r) => r.reference));
      const questionnaires = await questionnairesOfPatients(m, found);
      const problems: ErrorDetail[] = [];
      const dropped: ScansFileSummary['routedPastDropped'] = [];
      // Each row against its patient's questionnaire (the survey's when the reference is unknown), part by part.
      const checked = rows.map((row, i) => {
        const f = found[i];
        const definition = this.responses.definitionFor(survey, 'patient' in f ? questionnaires.get(f.patient.id) : null);
        const parts = splitByPart(definition, row.raw).map(({ part, definition: d, raw }) => {
          const result = checkAnswers(d, raw);
          for (const p of result.problems) problems.push({ where: `row ${row.rowNumber}, ${p.where}`, message: p.message });
          for (const p of result.routedPast) dropped.push({ row: row.rowNumber, question: p.where! });
          return { part, answers: result.answers };
        });
        if (row.dateProblem) problems.push(row.dateProblem);
        return parts;
      });
      found.forEach((f, i) => { if ('problem' in f) problems.push({ where: `row ${rows[i].rowNumber}, reference`, message: f.problem }); });
      const seen = new Map<string, number>();
      found.forEach((f, i) => {
        if (!('patient' in f)) return;
        const first = seen.get(f.patient.id);
        if (first !== undefined) problems.push({ where: `row ${rows[i].rowNumber}, reference`, message: `the same patient is also on row ${first}: one questionnaire per patient` });
        else seen.set(f.patient.id, rows[i].rowNumber);
      });
      if (problems.length) {
        throw new DomainError('file_rejected',
          `${problems.length} problem${problems.length > 1 ? 's' : ''} found in the file; nothing was stored. Correct the file and import it again.`,
          problems.sort(inRowOrder).slice(0, MAX_LISTED_PROBLEMS));
      }
      const patients = found.map((f) => (f as { patient: PatientRef }).patient);
      const existing: { patient_id: string; part: ResponsePart; mode: string; answers: Answers }[] = await m.query(
        'SELECT patient_id::text, part, mode, answers FROM responses WHERE patient_id = ANY($1::bigint[])', [patients.map((p) => p.id)]);
      const byPatient = new Map<string, Map<ResponsePart, { mode: string; answers: Answers }>>();
      for (const e of existing) byPatient.set(e.patient_id, (byPatient.get(e.patient_id) ?? new Map()).set(e.part, e));
      const summary: ScansFileSummary = {
        survey: survey.code, fileName, rowsRead: rows.length, recorded: 0, blankReturns: 0, alreadyRecorded: 0, alreadyResponded: 0, routedPastDropped: dropped,
      };
      for (const [i, row] of rows.entries()) {
        const before = byPatient.get(patients[i].id) ?? new Map();
        const parts = checked[i];
        const answered = parts.filter((p) => Object.keys(p.answers).length);
        const whole = parts[0].part === 'whole' ? before.get('whole') : undefined;
        const fresh = answered.filter((p) => !before.has(p.part));
        if (whole || (parts[0].part !== 'whole' && before.size && !fresh.length)) {
          // Responded already: this very pack imported before, or answers that came another way first.
          const same = whole ? whole.mode === 'paper' && sameAnswers(whole.answers, parts[0].answers)
            : answered.length > 0 && answered.every((p) => before.get(p.part)!.mode === 'paper' && sameAnswers(before.get(p.part)!.answers, p.answers));
          if (same) summary.alreadyRecorded++;
          else summary.alreadyResponded++;
          continue;
        }
        if (!answered.length) {
          const { recorded } = await this.responses.recordBlank(m, survey, patients[i], 'paper', row.receivedOn, by, 'scan', parts[0].part);
          if (recorded) summary.blankReturns++;
          else summary.alreadyRecorded++;
          continue;
        }
        // A part already in (online, or another copy) keeps its first answers; the new parts are stored.
        await this.responses.storeParts(m, survey, patients[i], 'paper', fresh, row.receivedOn, by, 'scan');
        summary.recorded++;
      }
      return summary;
    });
  }
}

/** The questionnaire each found patient was sent (null: the survey's). */
async function questionnairesOfPatients(m: EntityManager, found: ({ patient: PatientRef } | { problem: string })[]): Promise<Map<string, string | null>> {
  const ids = found.flatMap((f) => ('patient' in f ? [f.patient.id] : []));
  const rows: { id: string; questionnaire: string | null }[] = await m.query(
    'SELECT id::text, questionnaire FROM patients WHERE id = ANY($1::bigint[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.questionnaire]));
}

const sameAnswers = (a: Answers, b: Answers) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
const sortKeys = (a: Answers) => Object.fromEntries(Object.entries(a).sort(([x], [y]) => x.localeCompare(y)));
