import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { JobQueue } from '../src/infra/queues/job-queue';
import { loadEmailTemplate, renderEmail } from '../src/mailings/email-template';
import { WavesService } from '../src/mailings/waves.service';
import { measure, withBenchDatabase } from './bench-database';
import { lockedBenchSurvey } from './bench-survey';
import { smtpSink } from './smtp-sink';

const POOL = Number(process.env.SMTP_POOL_SIZE || 25);
const ROUNDS = Number(process.env.BENCH_EMAIL_ROUNDS || 3);

/**
 * E-mail against its bare baseline (issue 20): N messages through the service's worker
 * processes (claim, render, send, record, with BullMQ around each) beside the same number of
 * messages of the same size sent by a bare pooled nodemailer transport with the same number of
 * connections to the same SMTP sink, in the same run (just before and just after each service
 * run, so a change in the machine's load between them shows and averages out). Printed as a
 * ratio per number of worker processes, the median of BENCH_EMAIL_ROUNDS rounds: the ratio
 * should stay near 1 and not fall as processes are added.
 */
export async function benchEmail(
  messages = Number(process.env.BENCH_EMAIL_MESSAGES || 20_000),
  workerCounts = (process.env.BENCH_EMAIL_WORKERS || '1,2,4').split(',').map(Number),
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-email-'));
  const smtp = await smtpSink();
  try {
    const lines = [`e-mail: ${messages.toLocaleString('en-GB')} messages, ${POOL} SMTP connections per process, sink in its own process; `
      + 'each service run between two bare runs, its ratio against their mean (the machine\'s load drifts)'];
    const ratios = new Map<number, number[]>(workerCounts.map((w) => [w, []]));
    // Rounds over every process count (BENCH_EMAIL_ROUNDS, default 3): a burst of load on this
    // shared machine then spoils one round of a count, not the count's figure.
    for (let round = 1; round <= ROUNDS; round++) {
      for (const workers of workerCounts) {
        const before = await rawPooledSmtp(smtp.port, messages);
        const { rate, cpuMsPerMessage, postgresMsPerMessage, redisMsPerMessage } = await serviceRate(dir, smtp, messages, workers);
        const after = await rawPooledSmtp(smtp.port, messages);
        const baseline = { rate: (before.rate + after.rate) / 2, cpuMsPerMessage: (before.cpuMsPerMessage + after.cpuMsPerMessage) / 2 };
        ratios.get(workers)!.push(rate / baseline.rate);
        lines.push(`  round ${round}, ${workers} worker process${workers > 1 ? 'es' : ''}: ${Math.round(rate).toLocaleString('en-GB')}/s, `
          + `bare pooled nodemailer ${Math.round(before.rate).toLocaleString('en-GB')}/s before and ${Math.round(after.rate).toLocaleString('en-GB')}/s after  →  ratio ${(rate / baseline.rate).toFixed(2)}; `
          + `CPU ms per message: workers ${cpuMsPerMessage.toFixed(2)} (bare sender ${baseline.cpuMsPerMessage.toFixed(2)}), PostgreSQL ${postgresMsPerMessage.toFixed(2)}, Redis ${redisMsPerMessage.toFixed(2)}`);
        console.log(lines.at(-1));
      }
    }
    for (const [workers, rs] of ratios) {
      const sorted = [...rs].sort((a, b) => a - b);
      lines.push(`  service, ${workers} worker process${workers > 1 ? 'es' : ''}: median ratio ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} `
        + `(rounds ${rs.map((r) => r.toFixed(2)).join(', ')})   (target ≥ 0.8, and more processes never slower)`);
    }
    console.log(lines.join('\n'));
  } finally {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same e-mail, composed the same way, with nothing around the send. */
async function rawPooledSmtp(port: number, messages: number): Promise<{ rate: number; cpuMsPerMessage: number }> {
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port, maxConnections: POOL, maxMessages: Infinity });
  const template = loadEmailTemplate('initial');
  let next = 0;
  const one = async () => {
    for (let i = next++; i < messages; i = next++) {
      const code = `BENCH${String(i).padStart(7, '0')}`;
      const content = renderEmail(template, {
        salutation: `Dear Patient ${i}`, trustName: 'Benchmark NHS Trust', surveyTitle: 'National Cancer Patient Experience Survey 2026',
        onlineUrl: 'https://example.invalid/s', accessCode: code, reference: `RXX-${i}`, helplinePhone: '0800 000 0000',
        helplineEmail: 'help@example.invalid', onlineLink: `https://example.invalid/s/${code}`, optOutLink: `https://example.invalid/s/${code}/opt-out`,
      });
      await transport.sendMail({ from: 'survey@example.invalid', to: `bench${i}@example.invalid`, messageId: `<raw-${i}@example.invalid>`, ...content, envelope: { from: 'survey@example.invalid', to: `bench${i}@example.invalid` } });
    }
  };
  try {
    // As many in flight as the service's e-mail queue takes (its concurrency, 50).
    const cpu = process.cpuUsage();
    const { seconds } = await measure(() => Promise.all(Array.from({ length: 50 }, one)));
    const used = process.cpuUsage(cpu);
    return { rate: messages / seconds, cpuMsPerMessage: (used.user + used.system) / 1000 / messages };
  } finally {
    transport.close();
  }
}

/** A launched initial step of `messages` e-mails, sent by `workers` worker processes. */
async function serviceRate(dir: string, smtp: Awaited<ReturnType<typeof smtpSink>>, messages: number, workers: number): Promise<{ rate: number; cpuMsPerMessage: number; postgresMsPerMessage: number; redisMsPerMessage: number }> {
  return withBenchDatabase(async (url) => {
    const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
    const children: ChildProcess[] = [];
    try {
      await lockedBenchSurvey(app, dir, messages, { everyoneHasEmail: true });
      const db = app.get(DataSource);
      // Jobs wait until the workers are up, so the clock starts with every process ready.
      await app.get(JobQueue).queue('email').pause();
      await app.get(WavesService).launch('CPES-2026', 'initial', 'bench');
      await app.get(JobQueue).queue('postal').obliterate({ force: true });
      const env = {
        ...process.env, DATABASE_URL: url, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_POOL_SIZE: String(POOL),
        STORAGE_DIR: join(dir, 'storage'), LOG_LEVEL: 'info', // the ready line is an info line
      };
      for (let i = 0; i < workers; i++) children.push(await startWorker(env));
      const before = await smtp.count();
      const cpuBefore = children.map(cpuMs);
      const serversBefore = serverCpuMs();
      const run = await measure(async () => {
        await app.get(JobQueue).queue('email').resume();
        await untilSent(db, messages);
      });
      const received = (await smtp.count()) - before;
      if (received !== messages) throw new Error(`the SMTP sink received ${received} messages, expected ${messages}`);
      const cpu = children.reduce((sum, c, i) => sum + cpuMs(c) - cpuBefore[i], 0);
      const servers = serverCpuMs();
      return {
        rate: messages / run.seconds, cpuMsPerMessage: cpu / messages,
        postgresMsPerMessage: (servers.postgres - serversBefore.postgres) / messages, redisMsPerMessage: (servers.redis - serversBefore.redis) / messages,
      };
    } finally {
      await Promise.all(children.map((c) => new Promise<void>((resolve) => { c.once('exit', () => resolve()); c.kill('SIGTERM'); })));
      await app.close();
    }
  });
}

/** CPU time a child process has used so far (Linux /proc; the figure for what the machine's load does not change). */
function cpuMs(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/**
 * CPU time used so far by the PostgreSQL backends serving the benchmark's database and by Redis
 * (Redis is shared: other work on the machine counts too). Backends that ended meanwhile are missed.
 */
function serverCpuMs(database = new URL(process.env.DATABASE_URL!).pathname.slice(1)): { postgres: number; redis: number } {
  const total = { postgres: 0, redis: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      if (name.startsWith('postgres') && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) total.postgres += ms;
      else if (name.startsWith('redis-server')) total.redis += ms;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  // BENCH_EMAIL_PROFILE=<dir> writes each worker's CPU profile there (open in Chrome's DevTools).
  const profile = process.env.BENCH_EMAIL_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_EMAIL_PROFILE}`] : [];
  const child = fork(join(__dirname, '..', 'src', 'worker.js'), [], { env, execArgv: profile, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Workers running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`a worker process exited (${code}) before it was ready: ${out.slice(-500)}`)));
  });
}

/**
 * Waits for every e-mail to be recorded sent. It asks the per-trust sent counts the ledger's
 * triggers keep, and the progress index for failures: counting the ledger itself every 50 ms
 * took PostgreSQL CPU from the run it was timing.
 */
async function untilSent(db: DataSource, messages: number): Promise<void> {
  const until = Date.now() + 30 * 60_000;
  for (;;) {
    const [{ sent, failed }] = await db.query(
      `SELECT (SELECT coalesce(sum(c.sent), 0) FROM mailing_sent_counts c WHERE c.survey_id = s.id AND c.channel = 'email')::int AS sent,
              (SELECT count(*) FROM mailings m WHERE m.survey_id = s.id AND m.step = 'initial' AND m.channel = 'email' AND m.status = 'failed')::int AS failed
       FROM surveys s WHERE s.code = 'CPES-2026'`);
    if (failed) throw new Error(`${failed} e-mails failed`);
    if (sent >= messages) return;
    if (Date.now() > until) throw new Error(`${sent} of ${messages} e-mails sent after 30 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
