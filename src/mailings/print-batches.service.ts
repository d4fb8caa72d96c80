import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { DomainError } from '../infra/errors/domain-error';
import type { JobPayloads } from '../infra/queues/job-catalogue';
import { JobContext, JobHandler } from '../infra/queues/job-handler.decorator';
import { FileStore } from '../infra/storage/file-store';
import { ScratchSpace, STAGING_PREFIX } from '../infra/storage/scratch-space';
import type { MailingStep } from '../questionnaires/letter-template';
import { PACK_PATIENT_COLUMNS, PackRow, PacksService } from '../questionnaires/packs.service';
import { mailingPlanOf, planStep } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { StepGate } from './step-gate';
import { printRunId, writePrintFile } from './print-files';
import { lockForFinalSuppressionCheck, suppressionReasonSql, SuppressionReason } from './suppression';

export interface PrintBatchSummary {
  batch: number;
  pdf: string;
  manifest: string;
  packs: number;
  pages: number;
}

export interface PrintRunSummary {
  survey: string;
  step: string;
  largePrint: boolean;
  runId: string;
  packs: number;
  pages: number;
  batches: PrintBatchSummary[];
}

export type PrintOutcome = 'printed' | 'empty' | 'already-printed' | 'paused';

interface PlannedBatch {
  id: string;
  survey_id: string;
  survey_code: string;
  step: MailingStep;
  large_print: boolean;
  run_id: string;
  batch_number: number;
  status: string;
}

type PendingPack = PackRow & { mailingId: string; reason: SuppressionReason | null };

/** A file whose packs keep being suppressed while it is written is given up after this many passes. */
const MAX_PASSES = 5;

/**
 * Writes the print files planned at launch. Each file is rendered from its pending ledger rows,
 * re-checked for suppression, to a scratch file on this machine and uploaded to the store's
 * staging area; then, in one transaction under the suppression lock, the check is repeated,
 * the staged file moved into place (a copy inside the store) and every row recorded as
 * sent or suppressed. A repeated or concurrent job finds the file printed and does nothing; a
 * worker killed mid-file leaves the rows pending for the job's next run.
 */
@Injectable()
export class PrintBatchesService {
  private readonly logger = new Logger('PrintBatches');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly packs: PacksService,
    private readonly store: FileStore,
    private readonly scratch: ScratchSpace,
    private readonly gate: StepGate,
  ) {}

  @JobHandler('mailings.print-batch')
  async printJob(payload: JobPayloads['mailings.print-batch'], job: JobContext): Promise<{ outcome: PrintOutcome }> {
    try {
      return { outcome: await this.printBatch(payload.printBatchId) };
    } catch (error) {
      if (job.attempt >= job.maxAttempts) {
        await this.dataSource.query(
          `UPDATE mailings SET status = 'failed', error = $2, attempts = attempts + 1, completed_at = now()
           WHERE print_batch_id = $1 AND status = 'pending'`, [payload.printBatchId, (error as Error).message]);
      }
      throw error;
    }
  }

  /** Renders one planned print file now, unless it is already printed or its step is held. */
  async printBatch(printBatchId: string): Promise<PrintOutcome> {
    const [batch]: PlannedBatch[] = await this.dataSource.query(
      `SELECT b.id, b.survey_id, s.code AS survey_code, b.step, b.large_print, b.run_id, b.batch_number, b.status
       FROM print_batches b JOIN surveys s ON s.id = b.survey_id WHERE b.id = $1`, [printBatchId]);
    if (!batch) throw new Error(`Print file ${printBatchId} does not exist`);
    if (batch.status !== 'planned') return 'already-printed';
    const survey = (await this.surveys.getById(batch.survey_id))!;
    const rendererOf = (row: PackRow) => this.packs.rendererFor(survey, row.questionnaire);
    const name = `batch-${String(batch.batch_number).padStart(3, '0')}`;

    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      if (!(await this.gate.open(survey, batch.step))) return 'paused';
      const rows: PendingPack[] = await this.dataSource.query(
        `SELECT ${PACK_PATIENT_COLUMNS}, m.id AS "mailingId", ${suppressionReasonSql('p')} AS reason
         FROM mailings m JOIN patients p ON p.id = m.patient_id JOIN trusts t ON t.code = p.trust_code
         WHERE m.print_batch_id = $1 AND m.status = 'pending'
         ORDER BY p.postcode COLLATE "C", p.survey_reference`, [batch.id]);
      const toPrint = rows.filter((r) => !r.reason);
      const unique = `${name}-${randomUUID()}`;
      const tmp = { pdf: await this.scratch.file(`${unique}.pdf`), manifest: await this.scratch.file(`${unique}-manifest.csv`) };
      const staged = { pdf: `${STAGING_PREFIX}${unique}.pdf`, manifest: `${STAGING_PREFIX}${unique}-manifest.csv` };
      try {
        let pages = 0;
        if (toPrint.length) {
          pages = await writePrintFile(rendererOf, toPrint, batch.step, batch.large_print, { ...tmp, title: `${batch.survey_code} ${batch.step} ${name}` });
          // Uploaded before the transaction: the suppression lock is held for a move, not an upload.
          await this.store.putFile(staged.pdf, tmp.pdf);
          await this.store.putFile(staged.manifest, tmp.manifest);
        }
        const outcome = await this.commit(batch, name, rows, toPrint, pages, staged);
        if (outcome !== 'retry') return outcome;
        this.logger.log(`${batch.run_id} ${name}: a patient was suppressed while the file was written; writing it again`);
      } finally {
        await rm(tmp.pdf, { force: true });
        await rm(tmp.manifest, { force: true });
        if (toPrint.length) {
          // Gone already when the file was published; left by a retry or a file printed elsewhere.
          await this.store.delete(staged.pdf);
          await this.store.delete(staged.manifest);
        }
      }
    }
    throw new Error(`Print file ${batch.run_id} ${name} kept changing under suppression; try again later`);
  }

  private async commit(
    batch: PlannedBatch, name: string, rows: PendingPack[], toPrint: PendingPack[], pages: number, staged: { pdf: string; manifest: string },
  ): Promise<PrintOutcome | 'retry'> {
    return this.dataSource.transaction(async (m) => {
      await lockForFinalSuppressionCheck(m, batch.survey_id);
      const [current] = await m.query('SELECT status FROM print_batches WHERE id = $1 FOR UPDATE', [batch.id]);
      if (current.status !== 'planned') return 'already-printed' as const;
      const [{ held }] = await m.query(
        'SELECT count(*)::int AS held FROM mailing_steps WHERE survey_id = $1 AND step = $2 AND paused_at IS NOT NULL', [batch.survey_id, batch.step]);
      if (held) return 'paused' as const;
      const [{ changed }] = await m.query(
        `SELECT count(*)::int AS changed FROM mailings m JOIN patients p ON p.id = m.patient_id
         WHERE m.id = ANY($1::bigint[]) AND (m.status <> 'pending' OR ${suppressionReasonSql('p')} IS NOT NULL)`,
        [toPrint.map((r) => r.mailingId)]);
      if (changed) return 'retry' as const;

      let files: { pdf: string | null; manifest: string | null } = { pdf: null, manifest: null };
      if (toPrint.length) {
        const folder = `print/${batch.survey_code}/${batch.run_id}`;
        await this.store.move(staged.pdf, `${folder}/${name}.pdf`);
        await this.store.move(staged.manifest, `${folder}/${name}-manifest.csv`);
        files = { pdf: `${folder}/${name}.pdf`, manifest: `${folder}/${name}-manifest.csv` };
      }
      const suppressed = rows.filter((r) => r.reason);
      await m.query(
        `UPDATE mailings SET status = 'sent', attempts = attempts + 1, completed_at = now(), error = NULL
         WHERE id = ANY($1::bigint[])`, [toPrint.map((r) => r.mailingId)]);
      await m.query(
        `UPDATE mailings m SET status = 'suppressed', suppression_reason = s.reason, attempts = attempts + 1, completed_at = now()
         FROM unnest($1::bigint[], $2::text[]) AS s(id, reason) WHERE m.id = s.id`,
        [suppressed.map((r) => r.mailingId), suppressed.map((r) => r.reason)]);
      const status = toPrint.length ? 'printed' : 'empty';
      await m.query(
        `UPDATE print_batches SET status = $2, pdf_path = $3, manifest_path = $4, packs = $5, pages = $6, printed_at = now() WHERE id = $1`,
        [batch.id, status, files.pdf, files.manifest, toPrint.length, pages]);
      return status;
    });
  }

  /**
   * Writes a launched step's still-planned print files in this process (the same work the
   * postal jobs do, and safe alongside them) and lists all of the step's files.
   */
  async print(surveyCode: string, stepName: string, largePrint = false): Promise<PrintRunSummary> {
    const survey = await this.surveys.get(surveyCode);
    const step = planStep(mailingPlanOf(parseSurveySettings(survey.settings)), stepName).name;
    const runId = printRunId(survey.code, step);
    const [launched] = await this.dataSource.query('SELECT scheduled_for FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
    if (!launched) {
      throw new DomainError('invalid_state', `${step} has not been launched in this survey: launch it (wave:launch) to plan its print files`);
    }
    if (launched.scheduled_for > new Date(Date.now() + 60_000)) {
      throw new DomainError('invalid_state', `${step} in this survey is scheduled for ${launched.scheduled_for.toISOString()}: `
        + 'its letters are printed then (launch it with --now to send it earlier)');
    }
    const planned: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM print_batches WHERE run_id = $1 AND large_print = $2 AND status = 'planned' ORDER BY batch_number`, [runId, largePrint]);
    for (const { id } of planned) {
      if ((await this.printBatch(id)) === 'paused') {
        throw new DomainError('invalid_state', `${step} is paused in this survey: resume it (wave:resume) to print its remaining files`);
      }
    }
    const files: { batch_number: number; pdf_path: string; manifest_path: string; packs: number; pages: number }[] = await this.dataSource.query(
      `SELECT batch_number, pdf_path, manifest_path, packs, pages FROM print_batches
       WHERE run_id = $1 AND large_print = $2 AND status = 'printed' ORDER BY batch_number`, [runId, largePrint]);
    const batches = files.map((f) => ({ batch: f.batch_number, pdf: f.pdf_path, manifest: f.manifest_path, packs: f.packs, pages: f.pages }));
    return {
      survey: survey.code, step, largePrint, runId,
      packs: batches.reduce((n, b) => n + b.packs, 0),
      pages: batches.reduce((n, b) => n + b.pages, 0),
      batches,
    };
  }
}
