import { readFileSync } from 'node:fs';
import { command, SURVEY_OPTION } from '../cli/cli-command';
import { DomainError } from '../infra/errors/domain-error';
import { validateInput } from '../infra/http/validate-input';
import { CreateSurveyDto } from './dto/create-survey.dto';
import { FieldworkStartDto } from './dto/fieldwork-start.dto';
import { surveyView } from './survey-view';
import { KIND_NAMES } from './survey-kinds';
import { SurveysService } from './surveys.service';

function readSettingsFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DomainError('validation_failed', (error as NodeJS.ErrnoException).code ? 'The settings file (--settings) cannot be read: check the path' : 'The settings file (--settings) is not valid JSON', [{ where: '--settings', message: 'unreadable' }]);
  }
}

export const surveyCreate = command({
  name: 'survey:create',
  summary: 'Create a survey year with its sample period (and optional settings overrides)',
  options: {
    code: { type: 'string', required: true, description: 'survey code, e.g. CPES-2026' },
    'period-start': { type: 'string', required: true, description: 'first discharge date in the sample, YYYY-MM-DD' },
    'period-end': { type: 'string', required: true, description: 'last discharge date in the sample, YYYY-MM-DD' },
    name: { type: 'string', description: 'a descriptive name' },
    kind: { type: 'string', description: 'adult (the default) or under16: which survey, and so its default settings' },
    settings: { type: 'string', description: 'JSON file of settings overriding the defaults' },
  },
  async run({ app, options }) {
    const input = validateInput(CreateSurveyDto, {
      code: options.code,
      name: options.name,
      kind: options.kind,
      periodStart: options['period-start'],
      periodEnd: options['period-end'],
      settings: options.settings ? readSettingsFile(options.settings) : undefined,
    });
    const survey = surveyView(await app.get(SurveysService).create(input));
    return {
      json: survey,
      text: `Created ${KIND_NAMES[survey.kind]} survey ${survey.code} (${survey.periodStart} to ${survey.periodEnd}), status ${survey.status}.`,
    };
  },
});

export const surveyList = command({
  name: 'survey:list',
  summary: 'List surveys, newest first',
  options: {},
  async run({ app }) {
    const surveys = (await app.get(SurveysService).list()).map(surveyView);
    const text = surveys.length
      ? surveys.map((s) => `${s.code.padEnd(14)} ${KIND_NAMES[s.kind].padEnd(13)} ${s.periodStart} to ${s.periodEnd}  ${s.status}`).join('\n')
      : 'No surveys yet. Create one with survey:create.';
    return { json: { surveys }, text };
  },
});

export const surveyFieldworkStart = command({
  name: 'survey:fieldwork-start',
  summary: 'Set the day fieldwork starts, before the first mailing (questionnaires by age are chosen by age on it)',
  options: {
    survey: SURVEY_OPTION,
    date: { type: 'string', required: true, description: 'the day fieldwork starts, YYYY-MM-DD' },
  },
  async run({ app, options }) {
    const input = validateInput(FieldworkStartDto, { date: options.date });
    const survey = surveyView(await app.get(SurveysService).setFieldworkStart(options.survey, input.date));
    return { json: survey, text: `Fieldwork of ${survey.code} starts on ${input.date}: questionnaires by age are chosen by each patient's age on that day.` };
  },
});
