import { basename } from 'node:path';
import { command, existingFile } from '../cli/cli-command';
import { validateInput } from '../infra/http/validate-input';
import { BookReturnDto } from './dto/responses.dto';
import { ReturnsService } from './returns.service';
import { ScansService } from './scans.service';

export const returnsImport = command({
  name: 'returns:import',
  summary: 'Book in a file of paper returns (reference, received_date, type completed|blank|undelivered)',
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    file: { type: 'string', required: true, description: 'CSV or .xlsx with columns reference, received_date, type' },
  },
  async run({ app, options }) {
    const path = existingFile(options.file);
    const s = await app.get(ReturnsService).importFile(options.survey, path, basename(path), 'cli');
    return {
      json: s,
      text: `${s.fileName}: ${s.rowsRead} rows, ${s.recorded} booked in (completed ${s.byType.completed}, blank ${s.byType.blank}, `
        + `undelivered ${s.byType.undelivered}), ${s.alreadyRecorded} already booked in before.`,
    };
  },
});

export const returnsBook = command({
  name: 'returns:book',
  summary: 'Book in one returned envelope by its survey reference',
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    ref: { type: 'string', required: true, description: 'survey reference, e.g. RXX-004821-7' },
    type: { type: 'string', required: true, description: 'completed, blank or undelivered' },
    date: { type: 'string', description: 'date received, YYYY-MM-DD (default today)' },
  },
  async run({ app, options }) {
    const input = validateInput(BookReturnDto, { reference: options.ref, type: options.type, ...(options.date ? { receivedOn: options.date } : {}) });
    const r = await app.get(ReturnsService).bookIn(options.survey, input, 'cli');
    return {
      json: r,
      text: `${r.reference}: ${r.type} return of ${r.receivedOn} ${r.recorded ? 'booked in' : 'was already booked in'}; outcome ${r.outcome.code} (${r.outcome.label}).`,
    };
  },
});

export const scansImport = command({
  name: 'scans:import',
  summary: "Import the scanning bureau's answers (reference, received_date, one column per question id)",
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    file: { type: 'string', required: true, description: 'CSV or .xlsx of answers' },
  },
  async run({ app, options }) {
    const path = existingFile(options.file);
    const s = await app.get(ScansService).importFile(options.survey, path, basename(path), 'cli');
    return {
      json: s,
      text: `${s.fileName}: ${s.rowsRead} questionnaires, ${s.recorded} stored, ${s.blankReturns} blank (no answered question: outcome 4), `
        + `${s.alreadyRecorded} stored before, `
        + `${s.alreadyResponded} from patients who had already responded another way; `
        + `${s.routedPastDropped.length} answer(s) to routed-past questions dropped.`,
    };
  },
});
