import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { DataSource, EntityManager } from 'typeorm';
import type { JobPayloads } from '../infra/queues/job-catalogue';
import { JobContext, JobHandler } from '../infra/queues/job-handler.decorator';
import { JobQueue } from '../infra/queues/job-queue';
import { FileStore } from '../infra/storage/file-store';
import { ScratchSpace, STAGING_PREFIX } from '../infra/storage/scratch-space';
import { loadLetterTemplate, type MailingStep } from '../questionnaires/letter-template';
import { PACK_PATIENT_COLUMNS, PackRow, PacksService } from '../questionnaires/packs.service';
import { mailingPlanOf } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { writePrintFile } from './print-files';
import { lockForFinalSuppressionCheck, suppressionReasonSql, SuppressionReason } from './suppression';

export type OneOffFormat = 'standard' | 'large_print';

export interface OneOffPack {
  id: string;
  reference: string;
  step: MailingStep;
  format: OneOffFormat;
  status: 'pending' | 'printed' | 'suppressed' | 'failed';
  suppressionReason: SuppressionReason | null;
  pdf: string | null;
  manifest: string | null;
  error: string | null;
  requestedAt: string;
  completedAt: string | null;
}

/** A one-off pack's manifest sits beside its PDF. */
export const manifestOf = (pdfKey: string) => pdfKey.replace(/\.pdf$/, '-manifest.csv');

export const oneOffJobId = (packId: string) => `one-off-${packId}`;

/**
 * Single packs asked for on the phone (large print, or a replacement for a lost questionnaire).
 * Requested inside the helpline's transaction, printed by a postal job like any print file:
 * the patient is re-checked for suppression when the pack is produced, and the pack with its
 * one-line manifest, staged in the store, is moved into place in the same transaction that
 * records it printed.
 */
@Injectable()
export class OneOffPacksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly packs: PacksService,
    private readonly store: FileStore,
    private readonly scratch: ScratchSpace,
    private readonly jobs: JobQueue,
  ) {}

  /**
   * Records a pending pack for the patient in the caller's transaction; the pack is the
   * survey's latest mailing that carries a questionnaire (stored by its letter, initial or reminder_2). Null when nothing has been mailed yet
   * (the initial mailing will reach the patient). Call `enqueue` after the commit.
   */
  async request(m: EntityManager, patient: { id: string; surveyId: string }, eventId: string, format: OneOffFormat): Promise<string | null> {
    const [{ settings }] = await m.query('SELECT settings FROM surveys WHERE id = $1', [patient.surveyId]);
    const launched = new Set((await m.query('SELECT step FROM mailing_steps WHERE survey_id = $1', [patient.surveyId]) as { step: string }[]).map((r) => r.step));
    // The plan's latest launched step posting a full pack, by the pack's letter (whatever the step is called).
    const letter = mailingPlanOf(parseSurveySettings(settings)).filter((s) => launched.has(s.name))
      .map((s) => s.channels.postal?.letter).filter((l): l is MailingStep => !!l && loadLetterTemplate(l).includesQuestionnaire).at(-1);
    if (!letter) return null;
    const [row] = await m.query(
      `INSERT INTO one_off_packs (survey_id, patient_id, event_id, step, format, status)
       VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id`,
      [patient.surveyId, patient.id, eventId, letter, format]);
    return String(row.id);
  }

  async enqueue(packIds: string[]): Promise<void> {
    if (!packIds.length) return;
    await this.jobs.addBulk('mailings.print-one-off', packIds.map((packId) => ({ payload: { packId }, jobId: oneOffJobId(packId) })));
  }

  @JobHandler('mailings.print-one-off')
  async printJob(payload: JobPayloads['mailings.print-one-off'], job: JobContext): Promise<{ status: string }> {
    try {
      return { status: await this.print(payload.packId) };
    } catch (error) {
      if (job.attempt >= job.maxAttempts) {
        await this.dataSource.query(`UPDATE one_off_packs SET status = 'failed', error = $2, completed_at = now() WHERE id = $1 AND status = 'pending'`,
          [payload.packId, (error as Error).message]);
      }
      throw error;
    }
  }

  /** Produces a pending pack now; a pack already produced (or suppressed) is left as it is. */
  async print(packId: string): Promise<string> {
    const [pack] = await this.dataSource.query(
      `SELECT o.id, o.survey_id, o.step, o.format, o.status, s.code AS survey_code FROM one_off_packs o
       JOIN surveys s ON s.id = o.survey_id WHERE o.id = $1`, [packId]);
    if (!pack) throw new Error(`One-off pack ${packId} does not exist`);
    if (pack.status !== 'pending') return pack.status;
    const [patient]: (PackRow & { reason: SuppressionReason | null })[] = await this.dataSource.query(
      `SELECT ${PACK_PATIENT_COLUMNS}, ${suppressionReasonSql('p')} AS reason
       FROM one_off_packs o JOIN patients p ON p.id = o.patient_id JOIN trusts t ON t.code = p.trust_code WHERE o.id = $1`, [packId]);
    const name = `one-off-${String(pack.id).padStart(6, '0')}`;
    const unique = `${name}-${randomUUID()}`;
    const tmp = { pdf: await this.scratch.file(`${unique}.pdf`), manifest: await this.scratch.file(`${unique}-manifest.csv`) };
    const staged = { pdf: `${STAGING_PREFIX}${unique}.pdf`, manifest: `${STAGING_PREFIX}${unique}-manifest.csv` };
    try {
      if (!patient.reason) {
        const survey = (await this.surveys.getById(pack.survey_id))!;
        await writePrintFile((row) => this.packs.rendererFor(survey, row.questionnaire), [patient], pack.step, pack.format === 'large_print',
          { ...tmp, title: `${pack.survey_code} ${name}` });
        await this.store.putFile(staged.pdf, tmp.pdf);
        await this.store.putFile(staged.manifest, tmp.manifest);
      }
      return await this.dataSource.transaction(async (m) => {
        await lockForFinalSuppressionCheck(m, pack.survey_id);
        const [current] = await m.query(
          `SELECT o.status, ${suppressionReasonSql('p')} AS reason FROM one_off_packs o JOIN patients p ON p.id = o.patient_id
           WHERE o.id = $1 FOR UPDATE OF o`, [packId]);
        if (current.status !== 'pending') return current.status as string;
        if (current.reason) {
          await m.query(`UPDATE one_off_packs SET status = 'suppressed', suppression_reason = $2, completed_at = now() WHERE id = $1`,
            [packId, current.reason]);
          return 'suppressed';
        }
        if (patient.reason) throw new Error('The patient became mailable again while the pack was being prepared; it will be retried');
        const pdf = `print/${pack.survey_code}/one-off/${name}.pdf`;
        await this.store.move(staged.pdf, pdf);
        await this.store.move(staged.manifest, manifestOf(pdf));
        await m.query(`UPDATE one_off_packs SET status = 'printed', pdf_path = $2, completed_at = now(), error = NULL WHERE id = $1`,
          [packId, pdf]);
        return 'printed';
      });
    } finally {
      await rm(tmp.pdf, { force: true });
      await rm(tmp.manifest, { force: true });
      if (!patient.reason) {
        await this.store.delete(staged.pdf);
        await this.store.delete(staged.manifest);
      }
    }
  }

  /** A survey's one-off packs, newest first (for the print room and the patient's history). */
  async list(surveyId: string, patientId?: string): Promise<OneOffPack[]> {
    const rows = await this.dataSource.query(
      `SELECT o.*, p.survey_reference FROM one_off_packs o JOIN patients p ON p.id = o.patient_id
       WHERE o.survey_id = $1 AND ($2::bigint IS NULL OR o.patient_id = $2) ORDER BY o.id DESC`, [surveyId, patientId ?? null]);
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      reference: r.survey_reference as string,
      step: r.step as MailingStep,
      format: r.format as OneOffFormat,
      status: r.status as OneOffPack['status'],
      suppressionReason: r.suppression_reason as SuppressionReason | null,
      pdf: r.pdf_path as string | null,
      manifest: r.pdf_path ? manifestOf(r.pdf_path as string) : null,
      error: r.error as string | null,
      requestedAt: (r.requested_at as Date).toISOString(),
      completedAt: r.completed_at ? (r.completed_at as Date).toISOString() : null,
    }));
  }
}
