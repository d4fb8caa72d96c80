import { basename } from 'node:path';
import { command, existingFile } from '../cli/cli-command';
import { DeathsService } from './deaths.service';

export const deathsImport = command({
  name: 'deaths:import',
  summary: "Import a trace response (nhs_number, date_of_death) onto the survey's deceased list",
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    file: { type: 'string', required: true, description: 'CSV or .xlsx with columns nhs_number and date_of_death' },
  },
  async run({ app, options }) {
    const path = existingFile(options.file);
    const s = await app.get(DeathsService).import(options.survey, path, basename(path), 'cli');
    return {
      json: s,
      text: `Deceased check ${s.checkedAt}: ${s.deaths} deaths on the trace (${s.newDeaths} new), ${s.matchedPatients} of them sampled patients of ${s.survey}; they will not be mailed.`,
    };
  },
});
