import { command } from '../cli/cli-command';
import { PrintBatchesService } from './print-batches.service';

export const printBatch = command({
  name: 'print:batch',
  summary: "Write a mailing step's packs as print files (≤ 2,000 packs each, postcode order) with manifests",
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    step: { type: 'string', required: true, description: 'initial, reminder_1 or reminder_2' },
    'large-print': { type: 'boolean', description: 'the 16 pt large-print variant' },
  },
  async run({ app, options }) {
    const run = await app.get(PrintBatchesService).print(options.survey, options.step, options['large-print']);
    const text = [
      `${run.survey} ${run.step}: ${run.packs} packs, ${run.pages} pages in ${run.batches.length} print file(s) (run ${run.runId})`,
      ...run.batches.map((b) => `  ${b.pdf}  ${b.packs} packs, ${b.pages} pages  (manifest ${b.manifest})`),
    ].join('\n');
    return { json: run, text };
  },
});
