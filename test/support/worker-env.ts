import { join } from 'node:path';
import { withDatabase, workerDatabase } from './test-env';

// Each Jest worker has its own clone of the migrated test database and its own storage folder.
const worker = process.env.JEST_WORKER_ID ?? '1';
const base = process.env.FIELDWORK_TEST_DB;
if (!base || !process.env.FIELDWORK_TEST_SERVER_URL) throw new Error('Run the tests through jest (global set-up missing)');
process.env.DATABASE_URL = withDatabase(process.env.FIELDWORK_TEST_SERVER_URL, workerDatabase(base, worker));
process.env.QUEUE_PREFIX = `${process.env.FIELDWORK_TEST_QUEUE_PREFIX}-w${worker}`;
process.env.STORAGE_DIR = join(process.env.FIELDWORK_TEST_STORAGE!, `w${worker}`);
process.env.LOG_LEVEL ??= 'error'; // in-process apps log only errors; a spec reading a process's log sets LOG_LEVEL=info for it
