import { Client } from 'pg';
import { withDatabase } from './test-env';

/** How long a spec may wait for another to finish: the longest of them takes about three minutes on a loaded machine. */
export const TURN_TIMEOUT_MS = 600_000;

/**
 * Specs that start several service or worker processes of their own (several Node processes
 * each on 2 cores) starve one another when Jest runs two of them side by side, and they wait on
 * what those processes do. Each takes this turn in beforeAll and gives it back in afterAll, so
 * they run one at a time while lighter specs use the other Jest worker. A PostgreSQL advisory
 * lock on the server's postgres database: every Jest worker sees the same one, and a crashed
 * spec's lock goes with its connection.
 */
export async function takeTurn(): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: withDatabase(process.env.FIELDWORK_TEST_SERVER_URL!, 'postgres') });
  await client.connect();
  await client.query('SELECT pg_advisory_lock(hashtext($1))', ['fieldwork-tests:process-heavy-spec']);
  return async () => {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['fieldwork-tests:process-heavy-spec']);
    await client.end();
  };
}
