import Redis from 'ioredis';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { withDatabase } from './test-env';

/** Leaves PostgreSQL and Redis as they were found: this run's databases and keys are removed. */
export default async function globalTeardown(): Promise<void> {
  const base = process.env.FIELDWORK_TEST_DB;
  const serverUrl = process.env.FIELDWORK_TEST_SERVER_URL;
  if (base && serverUrl) {
    const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [base, `${base}\\_w%`],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    // Only when this run created it, and only if no other database (the demo, another run) holds grants to it.
    const role = process.env.FIELDWORK_TEST_CREATED_ROLE;
    if (role) await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
    await admin.end();
  }

  const prefix = process.env.FIELDWORK_TEST_QUEUE_PREFIX;
  if (prefix?.startsWith('fwtest-')) {
    const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }

  const storage = process.env.FIELDWORK_TEST_STORAGE;
  if (storage?.includes('fieldwork-test-')) rmSync(storage, { recursive: true, force: true });
}
