import { command } from '../cli/cli-command';
import { validateInput } from '../infra/http/validate-input';
import { DomainError } from '../infra/errors/domain-error';
import { AddTrustDto, SetTrustPtcDto } from './dto/add-trust.dto';
import { trustView } from './trust-view';
import { TrustsService } from './trusts.service';

export const trustAdd = command({
  name: 'trust:add',
  summary: 'Add an NHS trust by its ODS code',
  options: {
    code: { type: 'string', required: true, description: 'ODS code, e.g. RXX' },
    name: { type: 'string', required: true, description: 'the trust name' },
    icb: { type: 'string', description: 'ICB code, e.g. QXX' },
    ptc: { type: 'boolean', description: "a Principal Treatment Centre for children's cancer (takes part in the Under-16 survey)" },
  },
  async run({ app, options }) {
    const input = validateInput(AddTrustDto, { code: options.code, name: options.name, icb: options.icb, ptc: options.ptc || undefined });
    const trust = trustView(await app.get(TrustsService).add(input));
    return {
      json: trust,
      text: `Added trust ${trust.code} ${trust.name}${trust.icb ? ` (ICB ${trust.icb})` : ''}${trust.ptc ? ', a Principal Treatment Centre' : ''}.`,
    };
  },
});

export const trustPtc = command({
  name: 'trust:ptc',
  summary: 'Mark a trust as a Principal Treatment Centre (or, with --off, no longer one)',
  options: {
    trust: { type: 'string', required: true, description: 'ODS code of the trust, e.g. RXX' },
    off: { type: 'boolean', description: 'the trust is no longer a Principal Treatment Centre' },
  },
  async run({ app, options }) {
    const input = validateInput(SetTrustPtcDto, { ptc: !options.off });
    const trust = trustView(await app.get(TrustsService).setPtc(validTrustCode(options.trust), input.ptc));
    return { json: trust, text: `Trust ${trust.code} ${trust.name} is ${trust.ptc ? 'now' : 'no longer'} a Principal Treatment Centre.` };
  },
});

export const trustList = command({
  name: 'trust:list',
  summary: 'List trusts',
  options: {},
  async run({ app }) {
    const trusts = (await app.get(TrustsService).list()).map(trustView);
    const text = trusts.length
      ? trusts.map((t) => `${t.code.padEnd(6)} ${t.icb ?? '   '}  ${t.ptc ? 'PTC' : '   '}  ${t.name}`).join('\n')
      : 'No trusts yet. Add one with trust:add.';
    return { json: { trusts }, text };
  },
});

/** An ODS code as trust:add takes it, refused without repeating what was typed. */
function validTrustCode(code: string): string {
  if (!/^[A-Z0-9]{3,5}$/.test(code)) {
    throw new DomainError('validation_failed', 'The trust code must be an ODS code of 3 to 5 capitals or digits, e.g. RXX', [{ where: '--trust', message: 'not an ODS code' }]);
  }
  return code;
}
