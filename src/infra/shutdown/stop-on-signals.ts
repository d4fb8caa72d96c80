import { INestApplicationContext, Logger } from '@nestjs/common';
import { Draining } from './draining';

const apps: INestApplicationContext[] = [];
let graceMs = 30_000;
let stopping = false;

/**
 * SIGTERM/SIGINT stop every Nest application of this process (the HTTP service, the workers,
 * or both for `npm start`): first each drains (the HTTP server stops accepting, workers stop
 * taking jobs, hand back unstarted ones and finish the rest), then each closes, then the
 * process exits 0. Past SHUTDOWN_GRACE_SECONDS it exits 1: what it still held is picked up
 * again once its lock expires.
 *
 * Replaces Nest's enableShutdownHooks, which re-raises the signal (exit code 143, not 0) and
 * closes the database in the same step as the queue workers that still need it.
 */
export function stopOnSignals(app: INestApplicationContext, graceSeconds: number): void {
  apps.push(app);
  graceMs = graceSeconds * 1000;
  if (apps.length > 1) return;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
}

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const logger = new Logger('Shutdown');
  logger.log(`${signal} received: stopping within ${graceMs / 1000} s`);
  const deadline = setTimeout(() => {
    logger.error(`Not stopped within ${graceMs / 1000} s (SHUTDOWN_GRACE_SECONDS); exiting with work unfinished`);
    process.exit(1);
  }, graceMs);
  try {
    // Last started, first stopped: the HTTP service before the workers it enqueues for.
    const order = [...apps].reverse();
    await Promise.all(order.map((app) => app.get(Draining, { strict: false }).drain()));
    for (const app of order) await app.close();
    clearTimeout(deadline);
    logger.log('Stopped cleanly');
    process.exit(0);
  } catch (error) {
    logger.error(`Stopping failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
