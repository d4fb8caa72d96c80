import { command } from '../cli/cli-command';
import { RetentionService } from './retention.service';
import { longDate } from '../infra/dates';

export const surveyClose = command({
  name: 'survey:close',
  summary: 'Close fieldwork: every mailing step paused, no more uploads, returns or online answers',
  options: { survey: { type: 'string', required: true, description: 'survey code' } },
  async run({ app, options }) {
    const r = await app.get(RetentionService).close(options.survey, 'cli');
    return {
      json: r,
      text: `${r.survey} closed at ${r.closedAt}: ${r.stepsPaused} mailing step(s) paused, ${r.onePacksWithdrawn} one-off pack(s) withdrawn. `
        + `Patient data may be purged (survey:purge) from ${longDate(r.purgeFrom)}.`,
    };
  },
});

export const surveyPurge = command({
  name: 'survey:purge',
  summary: "Destroy a closed survey's patient-identifiable data and files after its retention period",
  options: { survey: { type: 'string', required: true, description: 'survey code' } },
  async run({ app, options }) {
    const r = await app.get(RetentionService).purge(options.survey);
    return {
      json: r,
      text: `${r.survey} purged at ${r.purgedAt}: ${r.patients} patients' identifiable data destroyed, ${r.deathsRemoved} deceased-list entries `
        + `and ${r.eventsCleared} contact notes removed, ${r.filesDeleted} files deleted, `
        + `${r.commentsRedacted} responses' comments reduced to their redacted text. Outcomes, answers and reports remain.`,
    };
  },
});
