import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { lockForSuppressionChange } from '../mailings/suppression';
import { Answers, checkAnswers } from '../questionnaires/answers';
import { allQuestions } from '../questionnaires/load-questionnaire';
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
    const definition = this.responses.definitionFor(survey);
    const questionIds = new Set(allQuestions(definition).map((q) => q.id));
    const problems: ErrorDetail[] = [];
    const rows: { rowNumber: number; reference: string; receivedOn: string; answers: Answers }[] = [];
    const dropped: ScansFileSummary['routedPastDropped'] = [];
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
      const checked = checkAnswers(definition, raw);
      for (const p of checked.problems) problems.push({ where: `row ${rowNumber}, ${p.where}`, message: p.message });
      for (const p of checked.routedPast) dropped.push({ row: rowNumber, question: p.where! });
      const received = receivedDate(cells[header.indexOf('received_date')] ?? '');
      if (typeof received !== 'string') problems.push({ where: `row ${rowNumber}, received_date`, message: received.problem });
      rows.push({ rowNumber, reference: (cells[header.indexOf('reference')] ?? '').trim(), receivedOn: received as string, answers: checked.answers });
    }
    if (!header) throw new DomainError('file_rejected', 'The file is empty: it needs a header row with reference, received_date and question ids');

    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const found = await findManyByReference(m, survey.id, survey.code, rows.map((r) => r.reference));
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
      const existing: { patient_id: string; mode: string; answers: Answers }[] = await m.query(
        'SELECT patient_id::text, mode, answers FROM responses WHERE patient_id = ANY($1::bigint[])', [patients.map((p) => p.id)]);
      const byPatient = new Map(existing.map((e) => [e.patient_id, e]));
      const summary: ScansFileSummary = {
        survey: survey.code, fileName, rowsRead: rows.length, recorded: 0, blankReturns: 0, alreadyRecorded: 0, alreadyResponded: 0, routedPastDropped: dropped,
      };
      for (const [i, row] of rows.entries()) {
        const before = byPatient.get(patients[i].id);
        if (before) {
          if (before.mode === 'paper' && sameAnswers(before.answers, row.answers)) summary.alreadyRecorded++;
          else summary.alreadyResponded++;
          continue;
        }
        if (!Object.keys(row.answers).length) {
          const { recorded } = await this.responses.recordBlank(m, survey, patients[i], 'paper', row.receivedOn, by, 'scan');
          if (recorded) summary.blankReturns++;
          else summary.alreadyRecorded++;
          continue;
        }
        await this.responses.store(m, survey, patients[i], 'paper', row.answers, row.receivedOn, by, 'scan');
        summary.recorded++;
      }
      return summary;
    });
  }
}

const sameAnswers = (a: Answers, b: Answers) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
const sortKeys = (a: Answers) => Object.fromEntries(Object.entries(a).sort(([x], [y]) => x.localeCompare(y)));
