import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';

/** What the specs that kill worker processes wait for at most: a worker's start on a busy machine, a stall found, a step's end. */
export const PATIENCE_MS = 90_000;

/** Polls `check` every `every` ms until it holds, or throws naming `what` after PATIENCE_MS. */
export async function until(what: string, check: () => boolean | Promise<boolean>, every = 10): Promise<void> {
  for (const end = Date.now() + PATIENCE_MS; !(await check());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Kills the worker, then waits for the statements it had running to end: what it committed is all it ever will. */
export async function killWorker(child: ChildProcess, dataSource: DataSource): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  await until('the killed worker\'s database sessions to end', async () => (await dataSource.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
       AND state NOT IN ('idle', 'idle in transaction')`))[0].n === 0, 50);
}
