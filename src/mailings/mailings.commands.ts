import { command } from '../cli/cli-command';
import { DomainError } from '../infra/errors/domain-error';
import { PrintBatchesService } from './print-batches.service';
import { ReconcilerService } from './reconciler.service';
import { RetryFailedService } from './retry-failed.service';
import { ChannelProgress, StepProgress, WavesService } from './waves.service';

const surveyOption = { type: 'string', required: true, description: 'survey code' } as const;
const stepOption = { type: 'string', required: true, description: "a step of the survey's mailing plan (by default initial, reminder_1 or reminder_2)" } as const;
const oneStepOption = { type: 'string', description: 'one step only' } as const;

export const printBatch = command({
  name: 'print:batch',
  summary: "Write a launched step's remaining print files now (≤ 2,000 packs each, postcode order, with manifests) and list them",
  options: {
    survey: surveyOption,
    step: stepOption,
    'large-print': { type: 'boolean', description: 'the 16 pt large-print files' },
  },
  async run({ app, options }) {
    const run = await app.get(PrintBatchesService).print(options.survey, options.step, options['large-print']);
    const text = [
      `${run.survey} ${run.step}: ${run.packs} packs, ${run.pages} pages in ${run.batches.length} print file(s)`,
      ...run.batches.map((b) => `  ${b.pdf}  ${b.packs} packs, ${b.pages} pages  (manifest ${b.manifest})`),
    ].join('\n');
    return { json: run, text };
  },
});

export const waveLaunch = command({
  name: 'wave:launch',
  summary: "Launch a step of the survey's mailing plan: write its ledger (post, e-mail, texts as the plan says) and queue the work",
  options: {
    survey: surveyOption,
    step: stepOption,
    now: { type: 'boolean', description: "send a reminder now rather than at the survey's schedule" },
  },
  async run({ app, options }) {
    const s = await app.get(WavesService).launch(options.survey, options.step, 'cli', { now: options.now });
    const when = new Date(s.scheduledFor) > new Date(Date.now() + 60_000) ? `scheduled for ${s.scheduledFor}` : 'going out now';
    return {
      json: s,
      text: (s.alreadyLaunched && !s.added.postal && !s.added.email && !s.added.sms
        ? `${s.survey} ${s.step} was already launched on ${s.launchedAt}: nothing added.`
        : `${s.survey} ${s.step} launched: ${s.added.postal} letters in ${s.printFiles} print file(s), ${s.added.email} e-mails and ${s.added.sms} texts, ${when}. `
          + `${heldBack({ ...s.heldBack.sms, ...s.heldBack.email, ...s.heldBack.postal })}Each is checked again for suppression when it is produced.`)
        + s.notes.map((n) => `\n${n}`).join(''),
    };
  },
});

export const waveStatus = command({
  name: 'wave:status',
  summary: 'Progress of each launched mailing step: planned, sent, suppressed by reason, failed, waiting',
  options: { survey: surveyOption, step: oneStepOption },
  async run({ app, options }) {
    const status = await app.get(WavesService).status(options.survey, options.step);
    const text = status.steps.length ? status.steps.map(describeStep).join('\n') : `${status.survey}: no mailing step launched yet.`;
    return { json: status, text };
  },
});

export const wavePause = command({
  name: 'wave:pause',
  summary: 'Hold a mailing step: nothing more is printed or e-mailed until it is resumed',
  options: { survey: surveyOption, step: stepOption, reason: { type: 'string', description: 'why, for the others to read' } },
  async run({ app, options }) {
    const step = await app.get(WavesService).pause(options.survey, options.step, 'cli', options.reason);
    return { json: step, text: describeStep(step) };
  },
});

export const waveResume = command({
  name: 'wave:resume',
  summary: 'Release a paused mailing step and queue its remaining work',
  options: { survey: surveyOption, step: stepOption },
  async run({ app, options }) {
    const step = await app.get(WavesService).resume(options.survey, options.step);
    return { json: step, text: `${describeStep(step)}\n  ${step.jobsQueued} job(s) queued again.` };
  },
});

export const waveRetryFailed = command({
  name: 'wave:retry-failed',
  summary: "Put a step's failed mailings back in the queue (after the cause is fixed); interrupted e-mails only by --ref, once confirmed not delivered",
  options: {
    survey: surveyOption,
    step: stepOption,
    ref: { type: 'string', multiple: true, description: "only this patient's failed e-mail (a survey reference; repeat it, or give a comma list)" },
    'not-delivered': { type: 'boolean', description: "with --ref: the mail server's log (or Notify, for texts) shows the interrupted messages named were not delivered" },
    channel: { type: 'string', description: 'with --ref: email (the default) or sms, the texts of the patients named' },
  },
  async run({ app, options }) {
    const references = options.ref?.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
    const channel = options.channel === undefined || options.channel === 'email' || options.channel === 'sms' ? options.channel : 'invalid';
    if (channel === 'invalid') throw new DomainError('validation_failed', '--channel must be email or sms', [{ where: 'channel', message: 'email or sms' }]);
    const r = await app.get(RetryFailedService).retryFailed(options.survey, options.step, { references, notDelivered: options['not-delivered'], channel });
    const confirmed = r.confirmedNotDelivered.length ? ` ${r.confirmedNotDelivered.length} of them interrupted, confirmed not delivered.` : '';
    const left = r.interruptedLeft
      ? ` ${r.interruptedLeft} interrupted e-mail${r.interruptedLeft > 1 ? 's' : ''} left for checking (they may have reached the mail server): `
        + `see their references and Message-IDs with wave:status --survey ${r.survey} --step ${r.step}, check each in the mail server's log, `
        + `and retry those not delivered with --ref <reference> --not-delivered.`
      : '';
    return { json: r, text: `${r.reset.postal} letters, ${r.reset.email} e-mails and ${r.reset.sms} texts set to be tried again.${confirmed}${left}` };
  },
});

export const waveReconcile = command({
  name: 'wave:reconcile',
  summary: 'Queue again every pending mailing with no job in Redis (after a Redis loss); nothing is sent twice',
  options: { survey: surveyOption, step: oneStepOption },
  async run({ app, options }) {
    const r = await app.get(ReconcilerService).reconcile(options.survey, options.step);
    return {
      json: r,
      text: `Checked ${r.checked.postal} print files, ${r.checked.email} e-mails and ${r.checked.sms} texts: queued again ${r.requeued.postal} print files, `
        + `${r.requeued.email} e-mails and ${r.requeued.sms} texts, retried ${r.retried} failed job(s); ${r.interrupted} interrupted e-mail(s) or text(s) marked failed for checking.`,
    };
  },
});

function describeStep(s: StepProgress): string {
  const line = (name: string, c: ChannelProgress) => {
    const reasons = Object.entries(c.suppressed).filter(([k, n]) => k !== 'total' && n).map(([k, n]) => `${k} ${n}`).join(', ');
    return `  ${name}: ${c.planned} planned, ${c.sent} sent, ${c.suppressed.total} suppressed${reasons ? ` (${reasons})` : ''}, `
      + `${c.failed} failed${c.interrupted ? ` (${c.interrupted} interrupted)` : ''}, ${c.waiting} waiting${c.bounced ? `, ${c.bounced} bounced` : ''}`;
  };
  return [
    `${s.step}: launched ${s.launchedAt} by ${s.launchedBy}, due ${s.scheduledFor}${s.paused ? ` — PAUSED: ${s.pauseReason}` : ''}`,
    line('post  ', s.channels.postal),
    line('e-mail', s.channels.email),
    line('text  ', s.channels.sms),
    ...(s.channels.sms.sent
      ? [`  text receipts: ${Object.entries(s.smsReceipts).map(([k, n]) => `${k} ${n}`).join(', ')}`]
      : []),
    `  print files: ${s.printFiles.printed} printed, ${s.printFiles.empty} empty, ${s.printFiles.planned} to do`,
    ...(s.interruptedEmails.length
      ? ["  interrupted e-mails (may have reached the mail server: check each Message-ID in its log; retry only those not delivered, with --ref and --not-delivered):",
        ...s.interruptedEmails.map((e) => `    ${e.reference}  ${e.messageId}  interrupted ${e.interruptedAt}`)]
      : []),
  ].join('\n');
}

/** "Held back: 3 responded, 1 deceased. " — the patients the launch recorded as suppressed. */
function heldBack(reasons: Record<string, number>): string {
  const parts = Object.entries(reasons).map(([reason, n]) => `${n} ${reason.replace('_', ' ')}`);
  return parts.length ? `Held back: ${parts.join(', ')}. ` : '';
}
