import { Client } from 'pg';
import { AppConfig } from '../config/app-config';

/**
 * One short connection as the database owner (DATABASE_URL) for the maintenance the service's
 * own role may not do, such as rewriting a table. Used sparingly and never for rows.
 */
export async function asOwner<T>(config: AppConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: config.DATABASE_URL, application_name: 'fieldwork-maintenance' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** PostgreSQL's "insufficient_privilege": the owner is not allowed this (e.g. CHECKPOINT without superuser). */
export const isPermissionDenied = (error: unknown) => (error as { code?: string }).code === '42501';
