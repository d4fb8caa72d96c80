import { command } from '../cli/cli-command';
import { validateInput } from '../infra/http/validate-input';
import { AddTrustDto } from './dto/add-trust.dto';
import { trustView } from './trust-view';
import { TrustsService } from './trusts.service';

export const trustAdd = command({
  name: 'trust:add',
  summary: 'Add an NHS trust by its ODS code',
  options: {
    code: { type: 'string', required: true, description: 'ODS code, e.g. RXX' },
    name: { type: 'string', required: true, description: 'the trust name' },
    icb: { type: 'string', description: 'ICB code, e.g. QXX' },
  },
  async run({ app, options }) {
    const input = validateInput(AddTrustDto, { code: options.code, name: options.name, icb: options.icb });
    const trust = trustView(await app.get(TrustsService).add(input));
    return { json: trust, text: `Added trust ${trust.code} ${trust.name}${trust.icb ? ` (ICB ${trust.icb})` : ''}.` };
  },
});

export const trustList = command({
  name: 'trust:list',
  summary: 'List trusts',
  options: {},
  async run({ app }) {
    const trusts = (await app.get(TrustsService).list()).map(trustView);
    const text = trusts.length
      ? trusts.map((t) => `${t.code.padEnd(6)} ${t.icb ?? '   '}  ${t.name}`).join('\n')
      : 'No trusts yet. Add one with trust:add.';
    return { json: { trusts }, text };
  },
});
