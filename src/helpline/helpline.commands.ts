import { command, CLI_COORDINATOR } from '../cli/cli-command';
import { validateInput } from '../infra/http/validate-input';
import { FindPatientDto, LogContactDto } from './dto/helpline.dto';
import { HelplineService } from './helpline.service';

export const helplineLog = command({
  name: 'helpline:log',
  summary: 'Log a helpline contact about a patient (opt_out, deceased, too_ill, ineligible, alternative_format, address_change, replacement, query)',
  options: {
    ref: { type: 'string', required: true, description: 'survey reference, e.g. RXX-004821-7' },
    type: { type: 'string', required: true, description: 'opt_out, deceased, too_ill, ineligible, alternative_format, address_change, replacement or query' },
    survey: { type: 'string', description: 'survey code (default: the newest survey holding the reference)' },
    reason: { type: 'string', description: 'opt_out: the reason given; ineligible (required): why' },
    date: { type: 'string', description: 'deceased: date of death, YYYY-MM-DD' },
    format: { type: 'string', description: 'alternative_format: large_print, braille, audio, easy_read or language' },
    language: { type: 'string', description: 'alternative_format language: the language asked for' },
    address: { type: 'string', description: 'address_change: the new address, lines separated by "|"' },
    postcode: { type: 'string', description: 'address_change: the new postcode' },
    caller: { type: 'string', description: 'who called (patient, relative, carer…)' },
    notes: { type: 'string', description: 'what was said (query: required)' },
    by: { type: 'string', description: 'who is logging the call (default: cli)' },
  },
  async run({ app, options }) {
    const contact = validateInput(LogContactDto, Object.fromEntries(Object.entries({
      type: options.type, reason: options.reason, dateOfDeath: options.date, format: options.format, language: options.language,
      addressLines: options.address?.split('|').map((l) => l.trim()), postcode: options.postcode, caller: options.caller, notes: options.notes,
    }).filter(([, v]) => v !== undefined)));
    const r = await app.get(HelplineService).log(options.survey, options.ref, contact, { id: options.by ?? 'cli', role: 'coordinator' });
    return {
      json: r,
      text: `${r.reference}: ${r.type} logged by ${r.recordedBy} at ${r.recordedAt}. ${r.note} Outcome now ${r.outcome.code} (${r.outcome.label}).`,
    };
  },
});

export const helplineFind = command({
  name: 'helpline:find',
  summary: 'Find a patient by survey reference, or by surname + postcode + date of birth',
  options: {
    survey: { type: 'string', required: true, description: 'survey code' },
    ref: { type: 'string', description: 'survey reference' },
    surname: { type: 'string', description: 'surname (with --postcode and --dob)' },
    postcode: { type: 'string', description: 'postcode' },
    dob: { type: 'string', description: 'date of birth, YYYY-MM-DD' },
  },
  async run({ app, options }) {
    const query = validateInput(FindPatientDto, Object.fromEntries(Object.entries({
      reference: options.ref, surname: options.surname, postcode: options.postcode, dateOfBirth: options.dob,
    }).filter(([, v]) => v !== undefined)));
    const r = await app.get(HelplineService).find(options.survey, query, CLI_COORDINATOR);
    const lines = r.matches.map((p) => `${p.reference}  ${[p.title, p.firstName, p.surname].filter(Boolean).join(' ')}, ${p.postcode}, born ${p.dateOfBirth}, ${p.trustName}; outcome ${p.outcome.code}`);
    return { json: r, text: lines.length ? lines.join('\n') : 'No patient matches.' };
  },
});

export const helplineShow = command({
  name: 'helpline:show',
  summary: "A patient's details, outcome, mailings and full contact history",
  options: {
    ref: { type: 'string', required: true, description: 'survey reference' },
    survey: { type: 'string', description: 'survey code (default: the newest survey holding the reference)' },
  },
  async run({ app, options }) {
    const r = await app.get(HelplineService).record(options.survey, options.ref, CLI_COORDINATOR);
    const child = r.addressee === 'parent_or_carer';
    const lines = [
      ...(r.death ? [`WARNING: this ${child ? 'child' : 'patient'} has died${r.death.dateOfDeath ? ` (${r.death.dateOfDeath})` : ''}: speak to the family with care; nothing more is sent.`] : []),
      `${r.reference} (${r.survey}, ${r.trustName}): ${[r.title, r.firstName, r.surname].filter(Boolean).join(' ')}, ${r.address.join(', ')}, ${r.postcode}`,
      ...(child ? ['mail goes to the parent or carer of this child'] : []),
      `questionnaire: ${r.questionnaire.name ? `${r.questionnaire.name}${r.questionnaire.ages ? ` (${r.questionnaire.ages})` : ''}` : 'chosen by age when fieldwork starts'}`,
      `outcome ${r.outcome.code}: ${r.outcome.label}`,
      ...(r.parts ?? []).map((x) => `  part for ${x.name}: ${x.returned ? `returned (${x.mode}, ${x.receivedOn})` : 'not returned'}`),
      // A paper pack booked in at the post room: which parts were answered is known once it is scanned.
      ...(r.parts && !r.parts.some((x) => x.returned) && r.events.some((e) => e.kind === 'completed') ? ['  a paper questionnaire was booked in: its answers are not yet scanned'] : []),
      ...r.mailings.map((x) => `  ${x.step} ${x.channel}: ${x.status}${x.suppressionReason ? ` (${x.suppressionReason})` : ''}`),
      ...r.events.map((e) => `  ${e.recordedAt} ${e.kind}${e.mode ? ` (${e.mode})` : ''} by ${e.recordedBy} via ${e.source}`),
    ];
    return { json: r, text: lines.join('\n') };
  },
});
