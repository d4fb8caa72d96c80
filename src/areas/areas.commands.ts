import { basename } from 'node:path';
import { command, existingFile } from '../cli/cli-command';
import { AreaLookupService } from './area-lookup.service';
import type { DerivedCounts } from './derive-groups';

const derivedText = (d: DerivedCounts) =>
  `${d.survey}: ${d.patients} patients, IMD quintile known for ${d.imdKnown}, ICB for ${d.icbKnown} (${d.icbFromTrust} from their trust), Cancer Alliance for ${d.allianceKnown}`;

export const areasImport = command({
  name: 'areas:import',
  summary: 'Import the area lookup (postcode → IMD decile, sub-ICB, ICB, Cancer Alliance), replacing the last one; all or nothing',
  options: {
    file: {
      type: 'string', required: true,
      description: 'CSV (or .xlsx) with columns postcode, imd_decile, sub_icb_code, icb_code, icb_name, cancer_alliance_code, cancer_alliance_name',
    },
  },
  async run({ app, options }) {
    const path = existingFile(options.file);
    const s = await app.get(AreaLookupService).import(path, basename(path), 'cli');
    return {
      json: s,
      text: [`Area lookup imported: ${s.rows} postcodes, ${s.subIcbs} sub-ICBs, ${s.icbs} ICBs, ${s.alliances} Cancer Alliances.`,
        ...s.surveys.map((d) => `Derived again for ${derivedText(d)}.`)].join('\n'),
    };
  },
});

export const resultsDerive = command({
  name: 'results:derive',
  summary: "Derive a survey's patients' IMD quintile, ICB, Cancer Alliance and age at discharge again from the area lookup",
  options: { survey: { type: 'string', required: true, description: 'survey code' } },
  async run({ app, options }) {
    const d = await app.get(AreaLookupService).derive(options.survey);
    return { json: d, text: `Derived for ${derivedText(d)}.` };
  },
});
