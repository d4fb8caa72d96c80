import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job } from 'bullmq';
import { JOB_NAMES, JobName } from './job-catalogue';
import { JOB_HANDLER_KEY, JobContext } from './job-handler.decorator';

type Handler = (payload: unknown, context: JobContext) => Promise<unknown>;
export interface FoundHandler { job: string; owner: string; run: Handler }

/** Problems with the catalogue ↔ handler mapping; empty when every job has exactly one handler. */
export function checkHandlers(catalogue: readonly string[], found: Pick<FoundHandler, 'job' | 'owner'>[]): string[] {
  const problems: string[] = [];
  for (const job of catalogue) {
    const owners = found.filter((h) => h.job === job).map((h) => h.owner);
    if (owners.length === 0) problems.push(`job ${job} has no handler`);
    if (owners.length > 1) problems.push(`job ${job} has ${owners.length} handlers: ${owners.join(', ')}`);
  }
  for (const h of found) {
    if (!catalogue.includes(h.job)) problems.push(`${h.owner} handles ${h.job}, which is not in the job catalogue`);
  }
  return problems;
}

/** Finds every @JobHandler at start-up and refuses to start unless each job has exactly one. */
@Injectable()
export class JobHandlers implements OnModuleInit {
  private readonly byJob = new Map<string, Handler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const found: FoundHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const job = this.reflector.get<string>(JOB_HANDLER_KEY, prototype[method]);
        if (!job) continue;
        const run = (prototype[method] as Handler).bind(instance);
        found.push({ job, owner: `${instance.constructor.name}.${method}`, run });
      }
    }
    const problems = checkHandlers(JOB_NAMES, found);
    if (problems.length) throw new Error(`Job catalogue check failed:\n  - ${problems.join('\n  - ')}`);
    for (const h of found) this.byJob.set(h.job, h.run);
  }

  async dispatch(job: Job): Promise<unknown> {
    const run = this.byJob.get(job.name);
    // An unknown name can only come from an older or newer deployment; failing keeps the job for inspection.
    if (!run) throw new Error(`No handler for job ${job.name}`);
    return run(job.data, { jobId: job.id, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
  }

  handledJobs(): JobName[] {
    return [...this.byJob.keys()] as JobName[];
  }
}
