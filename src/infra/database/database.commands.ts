import { DataSource } from 'typeorm';
import { appDatabaseUrl } from '../config/app-config';
import { command } from '../../cli/cli-command';
import { dataSourceOptions, migrate, revertLast } from './data-source-options';

async function withDataSource<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export const dbMigrate = command({
  name: 'db:migrate',
  summary: 'Apply pending database migrations',
  options: {},
  needsApp: false,
  async run({ config }) {
    const applied = await withDataSource(config.DATABASE_URL, (ds) => migrate(ds, appDatabaseUrl(config)));
    return {
      json: { applied },
      text: applied.length ? `Applied ${applied.length} migration(s):\n${applied.join('\n')}` : 'Database is up to date.',
    };
  },
});

export const dbRevert = command({
  name: 'db:revert',
  summary: 'Revert the most recent migration (development use)',
  options: {},
  needsApp: false,
  async run({ config }) {
    const reverted = await withDataSource(config.DATABASE_URL, revertLast);
    return { json: { reverted }, text: reverted ? 'Reverted the most recent migration.' : 'No migration to revert.' };
  },
});
