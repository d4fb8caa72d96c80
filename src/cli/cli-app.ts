import type { INestApplicationContext, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AuditModule } from '../audit/audit.module';
import { AuditService, referencesIn } from '../audit/audit.service';
import { ConfigModule } from '../infra/config/config.module';
import { DatabaseModule } from '../infra/database/database.module';
import { StorageModule } from '../infra/storage/storage.module';

/** The database is older than this build: the command refuses rather than run on the wrong schema. */
export class SchemaBehindError extends Error {
  constructor(readonly pending: number) { super('schema behind'); }
}

/**
 * The Nest context for one command: the infrastructure, the audit trail and the command's own
 * module. Redis (the queues) and SMTP only for commands that may enqueue; without a module, everything.
 */
export async function startCliApp(domain: Type | undefined, queues: boolean): Promise<INestApplicationContext> {
  const modules = domain
    ? [ConfigModule, DatabaseModule, StorageModule, ...(queues ? await mailingModules() : []), domain]
    : [(await import('../infra/infra.module')).InfraModule, (await import('../domain.module')).DomainModule];
  @Module({ imports: [...modules, AuditModule] })
  class CommandModule {}
  const app = await NestFactory.createApplicationContext(CommandModule, { logger: ['error'], abortOnError: false });
  try {
    await checkSchema(app.get(DataSource));
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/** Only the mailings enqueue jobs and send e-mail: Redis and SMTP for them alone. */
async function mailingModules(): Promise<Type[]> {
  const [{ QueuesModule }, { MailModule }] = await Promise.all([import('../infra/queues/queues.module'), import('../infra/mail/mail.module')]);
  return [QueuesModule, MailModule];
}

/** One query: every migration this build carries must be applied (a newer database is fine). */
async function checkSchema(dataSource: DataSource): Promise<void> {
  const known = MIGRATIONS.map((m) => (new (m as new () => { name?: string })()).name ?? m.name);
  let applied: { name: string }[] = [];
  try {
    applied = await dataSource.query('SELECT name FROM schema_migrations');
  } catch (error) {
    if ((error as { code?: string }).code !== '42P01') throw error; // 42P01: never migrated
  }
  const done = new Set(applied.map((r) => r.name));
  const pending = known.filter((name) => !done.has(name)).length;
  if (pending) throw new SchemaBehindError(pending);
}

/**
 * Every command that ran is in the audit trail: who at the console, which survey, patients,
 * step, trust or file; the option names but not their values (an address or a reason is
 * patient data).
 */
export async function auditCommand(app: INestApplicationContext, name: string, options: Record<string, unknown>, json: unknown): Promise<void> {
  const text = (key: string) => (typeof options[key] === 'string' ? (options[key] as string) : undefined);
  const file = text('file');
  await app.get(AuditService).record({
    actor: `cli:${userInfo().username}`,
    actorRole: 'coordinator',
    action: `cli.${name}`,
    surveyCode: text('survey') ?? (json as { survey?: string } | undefined)?.survey,
    references: [...(text('ref') ? [text('ref')!] : []), ...referencesIn(json)],
    subject: text('step') ?? text('trust') ?? text('icb') ?? text('alliance') ?? (file ? basename(file) : undefined) ?? text('email') ?? null,
    details: { options: Object.keys(options).filter((k) => options[k] !== undefined) },
  });
}
