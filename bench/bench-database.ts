import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../src/infra/database/data-source-options';

/**
 * A migrated database and a Redis queue prefix of the benchmark's own, removed afterwards:
 * never the demo's. DATABASE_URL and QUEUE_PREFIX point at them while `work` runs.
 */
export async function withBenchDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const server = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/fieldwork');
  const name = `fieldwork_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: Object.assign(new URL(server), { pathname: '/postgres' }).toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  const previous = { DATABASE_URL: process.env.DATABASE_URL, QUEUE_PREFIX: process.env.QUEUE_PREFIX };
  process.env.DATABASE_URL = url;
  process.env.QUEUE_PREFIX = name;
  try {
    const ds = await new DataSource(dataSourceOptions(url)).initialize();
    await migrate(ds);
    await ds.destroy();
    return await work(url);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await deleteRedisKeys(`${name}:*`);
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Peak resident memory of this process while `work` runs, sampled every 20 ms. */
export async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds, peakRssMb: Math.round(peak / 1024 / 1024) };
  } finally {
    clearInterval(timer);
  }
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * ANALYZE as the database's owner (DATABASE_URL): the service's role may not, and PostgreSQL
 * skips its tables without an error, leaving plans to guess after a bulk seed.
 */
export async function vacuumAnalyzeAsOwner(): Promise<void> {
  const owner = new Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  try {
    // VACUUM too: autovacuum would otherwise set hint bits and the visibility map during the timed runs.
    await owner.query('VACUUM (ANALYZE)');
  } finally {
    await owner.end();
  }
}
