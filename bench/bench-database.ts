import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../src/infra/database/data-source-options';

/** A migrated database of the benchmark's own, dropped afterwards: never the demo's. */
export async function withBenchDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const server = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/fieldwork');
  const name = `fieldwork_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: Object.assign(new URL(server), { pathname: '/postgres' }).toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  try {
    const ds = await new DataSource(dataSourceOptions(url)).initialize();
    await migrate(ds);
    await ds.destroy();
    return await work(url);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
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
