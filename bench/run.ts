import { benchEmail } from './email.bench';
import { benchMailings } from './mailings.bench';
import { benchPacks } from './packs.bench';
import { benchReports } from './reports.bench';
import { benchResults } from './results.bench';
import { benchLocalReports } from './local-reports.bench';
import { benchSampleImport } from './sample-import.bench';
import { benchSms } from './sms.bench';

/** `npm run bench`: every benchmark in turn, printing its figures. BENCH_ONLY=packs runs one. */
const BENCHES: Record<string, () => Promise<void>> = {
  'sample-import': () => benchSampleImport(),
  packs: () => benchPacks(),
  mailings: () => benchMailings(),
  email: () => benchEmail(),
  sms: () => benchSms(),
  reports: () => benchReports(),
  results: () => benchResults(),
  'local-reports': () => benchLocalReports(),
};

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  for (const [name, run] of Object.entries(BENCHES)) if (!only || only === name) await run();
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
