import { Injectable } from '@nestjs/common';

/** Thrown to work that had not started when the process began stopping: it goes back to its queue. */
export class HandedBack extends Error {
  constructor() {
    super('The worker is stopping; the job goes back to its queue for another worker');
    this.name = 'HandedBack';
  }
}

type DrainStep = () => void | Promise<void>;

/**
 * The process is stopping (SIGTERM). Parts that hold work register what they do then: stop
 * taking work, hand back what has not started, finish what has. Drain runs before Nest closes
 * its modules, because the database and Redis connections must outlive the last job.
 */
@Injectable()
export class Draining {
  private readonly steps: DrainStep[] = [];
  private started?: Promise<void>;

  get isDraining(): boolean {
    return this.started !== undefined;
  }

  onDrain(step: DrainStep): void {
    this.steps.push(step);
  }

  drain(): Promise<void> {
    // Every step starts at once: a worker's close waits for jobs that another step hands back.
    this.started ??= Promise.all(this.steps.map(async (step) => step())).then(() => undefined);
    return this.started;
  }
}
