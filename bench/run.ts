import { benchSampleImport } from './sample-import.bench';

/** `npm run bench`: every benchmark in turn, printing its figures. */
async function main(): Promise<void> {
  await benchSampleImport();
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
