import { JobQueue } from '../src/infra/queues/job-queue';
import { loadEmailTemplate, renderEmail } from '../src/mailings/email-template';
import { PacksService, surveyTitleOf } from '../src/questionnaires/packs.service';
import { parseSurveySettings } from '../src/surveys/survey-settings';
import { SurveysService } from '../src/surveys/surveys.service';
import { startApp, TestApp } from './support/app';
import { pdfPages } from './support/pdf';
import { U16, u16Survey } from './support/u16-survey';

const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const oneLine = (pages: string[]) => pages.join('\n').replace(/\s+/g, ' ');

/** Letters and e-mails name the survey, not the age band of the questionnaire inside. */
describe('Under-16 letters name the survey', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  const letter = async (ref: string, step = 'initial') =>
    oneLine(await pdfPages((await t.http().get(`/api/patients/${ref}/pack/${step}`).set(t.auth).buffer(true).parse(binary).expect(200)).body));

  const email = async (step: string) => {
    const survey = await t.app.get(SurveysService).get(U16);
    const settings = t.app.get(PacksService).rendererFor(survey, 'u16-8-11').settings;
    return renderEmail(loadEmailTemplate(step), {
      ...settings, salutation: 'parent or carer', trustName: 'Example Children’s Hospital', onlineLink: 'x', optOutLink: 'y', accessCode: 'A', reference: 'R',
    });
  };

  it('by default: "the Under-16 Cancer Patient Experience Survey", whatever the child\'s age band', async () => {
    const [young, middle, older] = await u16Survey(t);
    for (const child of [young, middle, older]) {
      const text = await letter(child.reference);
      expect(text).toContain('is taking part in the Under-16 Cancer Patient Experience Survey. We are writing to you');
      // The questionnaire inside still carries its band on its cover.
      expect(text).not.toMatch(/taking part in the Under-16 Cancer Patient Experience Survey: /);
    }
    expect(await letter(middle.reference, 'reminder_1')).toContain('A reminder about the Under-16 Cancer Patient Experience Survey');
    const mail = await email('u16-initial');
    expect(mail.subject).toBe('Your invitation to the Under-16 Cancer Patient Experience Survey');
    expect(mail.text).toContain('is taking part in the Under-16 Cancer Patient Experience Survey, and we would like');
    expect((await email('u16-reminder_1')).subject).toBe('A reminder about the Under-16 Cancer Patient Experience Survey');
  });

  it("a survey's own title setting names it in letters and e-mails", async () => {
    const [, middle] = await u16Survey(t, undefined, { surveyTitle: 'Children’s Cancer Experience Survey 2026' });
    expect(await letter(middle.reference)).toContain('is taking part in the Children’s Cancer Experience Survey 2026. We are writing to you');
    expect((await email('u16-initial')).subject).toBe('Your invitation to the Children’s Cancer Experience Survey 2026');
  });

  it('without the setting, the questionnaire title up to a colon; an adult title has none and is used whole', () => {
    expect(surveyTitleOf({}, { title: 'Under-16 Cancer Patient Experience Survey: children aged 8 to 11' })).toBe('Under-16 Cancer Patient Experience Survey');
    expect(surveyTitleOf(parseSurveySettings({}), { title: 'National Cancer Patient Experience Survey 2026' })).toBe('National Cancer Patient Experience Survey 2026');
    expect(parseSurveySettings({}, 'under16').surveyTitle).toBe('Under-16 Cancer Patient Experience Survey');
    expect(() => parseSurveySettings({ surveyTitle: 'Two\nlines' })).toThrow(/settings.surveyTitle: surveyTitle must be one line of text/);
  });
});
