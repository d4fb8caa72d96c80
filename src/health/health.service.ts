import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../infra/config/app-config';
import { redisOptions } from '../infra/queues/redis-connection';

export interface DependencyHealth { status: 'up' | 'down'; latencyMs?: number; error?: string }
export interface HealthReport { status: 'ok' | 'degraded'; database: DependencyHealth; redis: DependencyHealth }

const TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function probe(what: string, check: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = Date.now();
  try {
    await withTimeout(check(), what);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (error) {
    return { status: 'down', error: (error as Error).message || String(error) };
  }
}

/** Real round trips to PostgreSQL and Redis, each bounded by a timeout. */
@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async check(): Promise<HealthReport> {
    const [database, redis] = await Promise.all([
      probe('PostgreSQL', () => this.dataSource.query('SELECT 1')),
      probe('Redis', () => this.pingRedis()),
    ]);
    return { status: database.status === 'up' && redis.status === 'up' ? 'ok' : 'degraded', database, redis };
  }

  // A fresh connection each time: the queues' own connections retry silently and would hide an outage.
  private async pingRedis(): Promise<void> {
    const client = new Redis({
      ...redisOptions(this.config.REDIS_URL),
      lazyConnect: true,
      connectTimeout: TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`unexpected reply ${reply}`);
    } finally {
      client.disconnect();
    }
  }
}
