import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { basename, join, resolve } from 'node:path';
import { command, writtenTo, SURVEY_OPTION } from '../cli/cli-command';
import { DomainError } from '../infra/errors/domain-error';
import type { ReportScope } from './local-report';
import { CONSOLE, LocalReportsService, type ReportFormat } from './local-reports.service';
import { ReportRunsService, type RunProgress } from './report-runs.service';


function formatOf(value: string | undefined, fallback?: ReportFormat): ReportFormat {
  const v = value ?? fallback;
  if (v === 'pdf' || v === 'xlsx') return v;
  throw new DomainError('validation_failed', 'Give --format pdf or --format xlsx', [{ where: '--format', message: value === undefined ? 'missing' : 'unknown' }]);
}

/** Exactly one of --trust, --icb, --alliance, --national. */
export function scopeOf(options: { trust?: string; icb?: string; alliance?: string; national: boolean }): ReportScope {
  const given = [options.trust !== undefined, options.icb !== undefined, options.alliance !== undefined, options.national].filter(Boolean).length;
  if (given !== 1) {
    throw new DomainError('validation_failed', 'Name exactly one report: --trust RXX, --icb QXX, --alliance EXX or --national',
      [{ where: '--trust|--icb|--alliance|--national', message: given ? 'more than one given' : 'none given' }]);
  }
  if (options.national) return { level: 'national' };
  if (options.trust !== undefined) return { level: 'trust', code: options.trust };
  if (options.icb !== undefined) return { level: 'icb', code: options.icb };
  return { level: 'alliance', code: options.alliance! };
}

export const resultsReport = command({
  name: 'results:report',
  summary: 'One local report (national, a trust, an ICB or a Cancer Alliance) as a PDF or XLSX file',
  options: {
    survey: SURVEY_OPTION,
    trust: { type: 'string', description: 'a trust code (RXX)' },
    icb: { type: 'string', description: 'an ICB code (QXX)' },
    alliance: { type: 'string', description: 'a Cancer Alliance code (EXX)' },
    national: { type: 'boolean', description: 'the national report' },
    format: { type: 'string', required: true, description: 'pdf|xlsx' },
    out: { type: 'string', required: true, description: 'the file to write' },
  },
  async run({ app, options }) {
    const scope = scopeOf(options);
    const format = formatOf(options.format);
    const service = app.get(LocalReportsService);
    const report = await service.report(options.survey, scope, CONSOLE);
    const out = resolve(options.out);
    const rendered = await service.render(report, format);
    await writtenTo('--out', 'The report', () => writeFile(out, rendered));
    return { json: { survey: report.survey, level: report.level, code: report.code, format, file: out },
      text: `Wrote the ${report.level} report for ${report.name}${report.code ? ` (${report.code})` : ''} to ${out}` };
  },
});

/** How long the command waits for a worker to appear before saying there is none. */
const NO_WORKER_GRACE_MS = 5_000;
const POLL_MS = 300;

export const resultsReports = command({
  name: 'results:reports',
  summary: 'Every local report of a survey (national, each trust, ICB and Cancer Alliance), rendered by the workers, into a folder',
  options: {
    survey: SURVEY_OPTION,
    out: { type: 'string', required: true, description: 'the folder to put the files in (created if missing)' },
    format: { type: 'string', description: 'pdf (default) or xlsx' },
    run: { type: 'string', description: 'follow an earlier run (its id) instead of starting one' },
  },
  async run({ app, options }) {
    const format = formatOf(options.format, 'pdf');
    const runs = app.get(ReportRunsService);
    const dir = resolve(options.out);
    await writtenTo('--out', 'The reports', () => mkdir(dir, { recursive: true }));
    let progress: RunProgress = options.run ? await runs.progress(options.run) : await runs.start(options.survey, format, 'cli');
    const copied = new Set<string>();
    let lastShown = -1;
    let noWorkerSince: number | null = null;
    for (;;) {
      for (const item of progress.items) {
        if (item.status === 'done' && !copied.has(item.id)) {
          // From the file store, whichever machine's worker wrote it.
          const body = await runs.fileOf(item);
          await writtenTo('--out', 'The reports', () => pipeline(body, createWriteStream(join(dir, basename(item.filePath!)))));
          copied.add(item.id);
        }
      }
      const finished = progress.done + progress.failed;
      if (finished !== lastShown) {
        process.stderr.write(`${progress.done} of ${progress.total} done${progress.failed ? `, ${progress.failed} failed` : ''}\n`);
        lastShown = finished;
      }
      if (finished === progress.total) break;
      if ((await runs.workersListening()) === 0) {
        noWorkerSince ??= Date.now();
        if (Date.now() - noWorkerSince > NO_WORKER_GRACE_MS) {
          throw new DomainError('invalid_state',
            `No worker is listening on the reports queue, so nothing renders the reports. Start one with npm run start:worker (start two or more to share the run), `
            + `then follow this run with: npm run cli -- results:reports --survey ${progress.survey} --out ${dir} --run ${progress.runId}. `
            + `${progress.total - finished} of ${progress.total} reports are waiting.`);
        }
      } else noWorkerSince = null;
      await new Promise((r) => setTimeout(r, POLL_MS));
      progress = await runs.progress(progress.runId);
    }
    const failed = progress.items.filter((i) => i.status === 'failed');
    const json = { runId: progress.runId, survey: progress.survey, format: progress.format, total: progress.total, done: progress.done, failed: failed.length, folder: dir,
      files: progress.items.filter((i) => i.status === 'done').map((i) => basename(i.filePath!)) };
    const text = [`${progress.done} of ${progress.total} reports written to ${dir}`,
      ...failed.map((i) => `failed: ${i.level}${i.code ? ` ${i.code}` : ''}: ${i.error ?? 'unknown error'}`)].join('\n');
    return { json, text, exitCode: failed.length ? 1 : 0 };
  },
});

export const LOCAL_REPORTS_COMMANDS = [resultsReport, resultsReports];
