import { command, CLI_COORDINATOR, SURVEY_OPTION } from '../cli/cli-command';
import { DomainError } from '../infra/errors/domain-error';
import { PublicationService, type PrereleaseList } from './publication.service';


export const resultsPublication = command({
  name: 'results:publication',
  summary: "Show, set or move when a survey's results are published (before then only coordinators and the pre-release list see them)",
  options: {
    survey: SURVEY_OPTION,
    at: { type: 'string', description: 'the publication time with its offset from UTC, e.g. 2027-06-10T08:30:00Z or 2027-06-10T09:30:00+01:00' },
    clear: { type: 'boolean', description: 'remove the date: results are embargoed until one is set again' },
  },
  async run({ app, options }) {
    const publication = app.get(PublicationService);
    if (options.at !== undefined && options.clear) throw new DomainError('validation_failed', 'Give either --at or --clear, not both', [{ where: '--clear', message: 'with --at' }]);
    if (options.at === undefined && !options.clear) {
      const now = await publication.show(options.survey);
      return { json: now, text: `${now.sentence}${now.publicationAt ? ` (${now.publicationAt})` : ' Set a date with --at.'}` };
    }
    const changed = await publication.set(options.survey, options.clear ? null : options.at!, CLI_COORDINATOR);
    return {
      json: changed,
      text: `${changed.sentence}${changed.publicationAt ? ` (${changed.publicationAt})` : ''}\nBefore: ${changed.previous ?? 'no date set'}.`,
    };
  },
});

export const resultsPrerelease = command({
  name: 'results:prerelease',
  summary: "List a survey's pre-release access list, or --add / --remove a user (any role) by e-mail",
  options: {
    survey: SURVEY_OPTION,
    add: { type: 'string', description: "e-mail of an existing user to give pre-release access (add users with user:add)" },
    remove: { type: 'string', description: 'e-mail of a user to take off the list' },
  },
  async run({ app, options }) {
    const publication = app.get(PublicationService);
    if (options.add !== undefined && options.remove !== undefined) throw new DomainError('validation_failed', 'Give either --add or --remove, not both', [{ where: '--remove', message: 'with --add' }]);
    const list = options.add !== undefined ? await publication.addPrerelease(options.survey, options.add, CLI_COORDINATOR)
      : options.remove !== undefined ? await publication.removePrerelease(options.survey, options.remove, CLI_COORDINATOR)
        : await publication.prerelease(options.survey);
    const done = options.add !== undefined ? `${options.add.trim().toLowerCase()} may see ${list.survey}'s results before publication.\n`
      : options.remove !== undefined ? `${options.remove.trim().toLowerCase()} is off ${list.survey}'s pre-release access list.\n` : '';
    return { json: list, text: done + listText(list) };
  },
});

function listText(list: PrereleaseList): string {
  const when = list.published ? `published (${list.publicationAt}): the list no longer opens anything`
    : list.publicationAt ? `to be published at ${list.publicationAt}` : 'no publication date set';
  const people = list.people.map((p) => `  ${p.email.padEnd(36)} ${p.role}${p.trustCode ? ` ${p.trustCode}` : ''}${p.disabled ? ' (disabled)' : ''}  added by ${p.addedBy}`);
  return [`Pre-release access to ${list.survey} (${when}):`, ...(people.length ? people : ['  nobody yet: add someone with --add EMAIL'])].join('\n');
}

export const PUBLICATION_COMMANDS = [resultsPublication, resultsPrerelease];
