import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { TEST_OPERATOR_TOKEN } from './test-env';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  dataSource: DataSource;
  auth: { Authorization: string };
}

/** The real AppModule on this worker's database and Redis prefix, served in-process. */
export async function startApp(extra: { controllers?: Type[] } = {}): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule], controllers: extra.controllers ?? [] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return {
    app,
    http: () => request(app.getHttpServer()),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    auth: { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
  };
}

/** Empties every table but the migrations record, so each test starts from nothing. */
export async function resetDatabase(dataSource: DataSource): Promise<void> {
  const rows: { tablename: string }[] = await dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  if (rows.length) await dataSource.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} CASCADE`);
}
