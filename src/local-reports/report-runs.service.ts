import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { DomainError } from '../infra/errors/domain-error';
import type { JobPayloads } from '../infra/queues/job-catalogue';
import { JobContext, JobHandler } from '../infra/queues/job-handler.decorator';
import { JobQueue } from '../infra/queues/job-queue';
import { FileStore } from '../infra/storage/file-store';
import { SurveysService } from '../surveys/surveys.service';
import { reportFileName, type ReportLevel, type ReportScope } from './local-report';
import { CONSOLE, LocalReportsService, type ReportFormat } from './local-reports.service';

export interface RunItem { id: string; level: ReportLevel; code: string | null; status: 'pending' | 'done' | 'failed'; filePath: string | null; error: string | null }
export interface RunProgress { runId: string; survey: string; format: ReportFormat; total: number; done: number; failed: number; items: RunItem[] }

/**
 * Every local report of a survey at once: a run row and one item per report in PostgreSQL (the
 * source of truth), one job per item on the reports queue so that every worker process takes a
 * share. A worker renders its report and writes it into the run's folder in the file store
 * (reports/<run id>/, whole or not at all) and marks the item done; a repeated job finds the item done and does nothing.
 */
@Injectable()
export class ReportRunsService {
  private readonly logger = new Logger('ReportRuns');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly reports: LocalReportsService,
    private readonly store: FileStore,
    private readonly jobs: JobQueue,
  ) {}

  /** Plans the run (national, each trust, ICB and Cancer Alliance with respondents) and queues its jobs. */
  async start(surveyCode: string, format: ReportFormat, createdBy: string): Promise<RunProgress> {
    const survey = await this.surveys.get(surveyCode);
    const scopes = await this.reports.scopesWithRespondents(survey.code);
    const runId = await this.dataSource.transaction(async (m) => {
      const [{ id }] = await m.query('INSERT INTO report_runs (survey_id, format, created_by) VALUES ($1, $2, $3) RETURNING id', [survey.id, format, createdBy]);
      await m.query(
        `INSERT INTO report_run_items (run_id, level, code) SELECT $1, l, c FROM unnest($2::text[], $3::text[]) AS s(l, c)`,
        [id, scopes.map((s) => s.level), scopes.map((s) => (s.level === 'national' ? null : s.code))]);
      return id as string;
    });
    const items = await this.items(runId);
    await this.jobs.addBulk('results.render-report', items.map((i) => ({ payload: { reportItemId: i.id }, jobId: `report-${i.id}` })));
    return this.progress(runId);
  }

  async progress(runId: string): Promise<RunProgress> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId)) {
      throw new DomainError('validation_failed', 'Give the run id that results:reports printed (a long id such as 3f2a9c1e-…): this is not one',
        [{ where: 'run', message: 'not a run id' }]);
    }
    const [run] = await this.dataSource.query(
      'SELECT r.id, s.code AS survey, r.format FROM report_runs r JOIN surveys s ON s.id = r.survey_id WHERE r.id = $1', [runId]);
    if (!run) throw new DomainError('not_found', 'No report run has that id: check the id results:reports printed', [{ where: 'run', message: 'not found' }]);
    const items = await this.items(runId);
    return {
      runId, survey: run.survey, format: run.format, total: items.length,
      done: items.filter((i) => i.status === 'done').length, failed: items.filter((i) => i.status === 'failed').length, items,
    };
  }

  /** Worker processes listening on the reports queue (0: the run waits until one starts). */
  async workersListening(): Promise<number> {
    return this.jobs.queue('reports').getWorkersCount();
  }

  /** A finished item's file, from the store. */
  fileOf(item: RunItem): Promise<Readable> {
    if (item.status !== 'done' || !item.filePath) throw new DomainError('invalid_state', 'This report is not rendered yet');
    return this.store.read(item.filePath);
  }

  /** One item of a run, with its run's survey. */
  async item(runId: string, itemId: string): Promise<RunItem & { survey: string; format: ReportFormat }> {
    const progress = await this.progress(runId);
    const item = progress.items.find((i) => i.id === itemId);
    if (!item) throw new DomainError('not_found', 'This run has no report with that id', [{ where: 'item', message: 'not found' }]);
    return { ...item, survey: progress.survey, format: progress.format };
  }

  @JobHandler('results.render-report')
  async renderJob(payload: JobPayloads['results.render-report'], job: JobContext): Promise<{ outcome: 'rendered' | 'already-done' }> {
    try {
      return { outcome: await this.render(payload.reportItemId) };
    } catch (error) {
      if (job.attempt >= job.maxAttempts) {
        await this.dataSource.query(`UPDATE report_run_items SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'pending'`,
          [payload.reportItemId, (error as Error).message.slice(0, 500)]);
      }
      throw error;
    }
  }

  async render(itemId: string): Promise<'rendered' | 'already-done'> {
    const [item] = await this.dataSource.query(
      `SELECT i.id, i.run_id, i.level, i.code, i.status, r.format, s.code AS survey
       FROM report_run_items i JOIN report_runs r ON r.id = i.run_id JOIN surveys s ON s.id = r.survey_id WHERE i.id = $1`, [itemId]);
    if (!item) throw new Error(`Report item ${itemId} does not exist`);
    if (item.status === 'done') return 'already-done';
    const scope: ReportScope = item.level === 'national' ? { level: 'national' } : { level: item.level, code: item.code };
    const report = await this.reports.report(item.survey, scope, CONSOLE);
    const file = await this.reports.render(report, item.format);
    const relative = `reports/${item.run_id}/${reportFileName(scope, item.format)}`;
    await this.store.put(relative, file);
    await this.dataSource.query(`UPDATE report_run_items SET status = 'done', file_path = $2, error = NULL, rendered_by = $3, finished_at = now() WHERE id = $1`,
      [itemId, relative, `${hostname()}:${process.pid}`]);
    this.logger.log(`${item.survey} ${relative} written`);
    return 'rendered';
  }

  private async items(runId: string): Promise<RunItem[]> {
    return this.dataSource.query(
      `SELECT id, level, code, status, file_path AS "filePath", error FROM report_run_items WHERE run_id = $1
       ORDER BY array_position(ARRAY['national', 'trust', 'icb', 'alliance'], level), code`, [runId]);
  }
}
