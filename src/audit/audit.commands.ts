import { command } from '../cli/cli-command';
import { AuditService } from './audit.service';

export const auditList = command({
  name: 'audit:list',
  summary: 'The audit trail, newest first: who read or changed what, every import, launch and export',
  options: {
    survey: { type: 'string', description: 'survey code' },
    ref: { type: 'string', description: "one patient's survey reference (with --survey)" },
    actor: { type: 'string', description: 'who (an e-mail address, "operator", "cli:<user>")' },
    action: { type: 'string', description: 'e.g. patient.read, sample.import, mailing.launch' },
    from: { type: 'string', description: 'from this time (ISO 8601)' },
    to: { type: 'string', description: 'before this time (ISO 8601)' },
    limit: { type: 'string', description: 'how many (default 200, at most 1000)' },
  },
  async run({ app, options }) {
    const r = await app.get(AuditService).list({
      survey: options.survey, reference: options.ref, actor: options.actor, action: options.action, from: options.from, to: options.to,
      limit: options.limit ? Number(options.limit) : undefined,
    });
    return {
      json: r,
      text: r.entries.map((e) => `${e.at}  ${e.actor.padEnd(24)} ${e.action.padEnd(22)} ${e.survey ?? ''} ${e.reference ?? ''} ${e.subject ?? ''}`.trimEnd()).join('\n') || 'Nothing recorded.',
    };
  },
});
