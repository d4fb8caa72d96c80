import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { TEST_OPERATOR_TOKEN, withDatabase } from './test-env';

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

/**
 * Empties every table of the data source's database but the migrations record, so each test
 * starts from nothing. The service's role may not TRUNCATE, and the audit log refuses it even
 * to the owner: a test's clean slate is the one exception, taken as the server's superuser
 * with triggers off for this session only.
 */
export async function resetDatabase(dataSource: DataSource): Promise<void> {
  const [{ database }] = await dataSource.query('SELECT current_database() AS database');
  const owner = new Client({ connectionString: withDatabase(process.env.FIELDWORK_TEST_SERVER_URL!, database) });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
    );
    await owner.query('SET session_replication_role = replica');
    if (rows.length) await owner.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} CASCADE`);
  } finally {
    await owner.end();
  }
}
