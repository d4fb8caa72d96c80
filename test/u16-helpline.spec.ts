import type { Browser } from 'playwright-core';
import { CLI_COORDINATOR } from '../src/cli/cli-command';
import { HelplineService } from '../src/helpline/helpline.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { todayInEngland } from '../src/responses/patient-events';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { cli } from './support/cli';
import { U16, U16Patient, u16Survey } from './support/u16-survey';

/** The helpline sees each part of an Under-16 questionnaire (the child's, the parent's) and can take the missing one by phone. */
describe('Under-16 helpline: parts of the questionnaire', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let young: U16Patient;
  let middle: U16Patient;
  let older: U16Patient;
  const today = todayInEngland();

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
    [young, middle, older] = await u16Survey(t);
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await browser?.close();
    await t.app.close();
  });

  const record = (p: U16Patient) => t.app.get(HelplineService).record(U16, p.reference, CLI_COORDINATOR);
  const phone = (p: U16Patient, answers: object) => t.http().post(`/api/surveys/${U16}/patients/${p.reference}/responses`).set(t.auth).send({ answers });

  it("shows each part's status, and takes the parent's part by phone when the child's came online", async () => {
    expect((await record(middle)).parts).toEqual([
      { part: 'child', name: 'the child or young person', returned: false, mode: null, receivedOn: null },
      { part: 'parent', name: 'the parent or carer', returned: false, mode: null, receivedOn: null },
    ]);
    // The 0-7 questionnaire has the parent's part only.
    expect((await record(young)).parts).toEqual([{ part: 'parent', name: 'the parent or carer', returned: false, mode: null, receivedOn: null }]);

    await t.http().post(`/api/online/${middle.access_code}/response`).send({ part: 'child', answers: { child_staff_friendly: '1', child_overall_rating: 9 } }).expect(201);
    const half = await t.http().get(`/api/surveys/${U16}/patients/${middle.reference}`).set(t.auth).expect(200);
    expect(half.body).toMatchObject({
      outcome: { code: 1 }, response: { mode: 'online', receivedOn: today }, accessCodeUsed: false,
      parts: [
        { part: 'child', returned: true, mode: 'online', receivedOn: today },
        { part: 'parent', returned: false, mode: null, receivedOn: null },
      ],
    });

    // The parent completes their part with the helpline: only the parent's answers are taken.
    const byPhone = await phone(middle, { parent_play: '2', parent_overall_rating: 7 }).expect(201);
    expect(byPhone.body).toMatchObject({ recordedAs: 'completed', parts: ['parent'], questionsAnswered: 2, mode: 'phone' });
    const both = await record(middle);
    expect(both.parts).toEqual([
      { part: 'child', name: 'the child or young person', returned: true, mode: 'online', receivedOn: today },
      { part: 'parent', name: 'the parent or carer', returned: true, mode: 'phone', receivedOn: today },
    ]);
    // The first part in is the response; with every part in, the access code is spent, as online.
    expect(both.response).toEqual({ mode: 'online', receivedOn: today });
    expect(both.accessCodeUsed).toBe(true);
    expect((await t.http().get(`/api/online/${middle.access_code}`).expect(200)).body.open).toBe(false);
    const stored = await t.dataSource.query('SELECT part, mode, answers FROM responses WHERE patient_id = $1 ORDER BY part', [middle.id]);
    expect(stored).toEqual([
      { part: 'child', mode: 'online', answers: { child_staff_friendly: '1', child_overall_rating: 9 } },
      { part: 'parent', mode: 'phone', answers: { parent_play: '2', parent_overall_rating: 7 } },
    ]);

    // The child's part taken again by phone is refused, naming the part and how it came; nothing changes.
    const again = await phone(middle, { child_staff_friendly: '2' }).expect(409);
    expect(again.body.error.message).toBe(`The part for the child or young person was already received for this patient (online, ${today}); the first one counts`);
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM responses WHERE patient_id = $1', [middle.id])).toEqual([{ n: 2 }]);
  });

  it('helpline:show and the patient page list each part with its mode and date', async () => {
    const shown = await cli(['helpline:show', '--survey', U16, '--ref', middle.reference]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`  part for the child or young person: returned (online, ${today})`);
    expect(shown.stdout).toContain(`  part for the parent or carer: returned (phone, ${today})`);
    const youngShown = await cli(['helpline:show', '--survey', U16, '--ref', young.reference]);
    expect(youngShown.stdout).toContain('  part for the parent or carer: not returned');
    expect(youngShown.stdout).not.toContain('child or young person');

    // A pack booked in at the post room and not yet scanned: returned, but which parts is not known yet.
    await t.http().post(`/api/surveys/${U16}/returns`).set(t.auth).send({ reference: older.reference, type: 'completed' }).expect(200);
    const booked = await cli(['helpline:show', '--survey', U16, '--ref', older.reference]);
    expect(booked.stdout).toContain('  part for the child or young person: not returned');
    expect(booked.stdout).toContain('  a paper questionnaire was booked in: its answers are not yet scanned');

    const password = await userWithPassword(t, 'sam.helpline@example.invalid', 'helpline');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, 'sam.helpline@example.invalid', password);
    await page.waitForURL(/\/helpline$/);
    await page.goto(`${base}/helpline/${U16}/patients/${middle.reference}`);
    const on = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${today}T00:00:00Z`));
    expect(await page.locator('#part-child').innerText()).toMatch(new RegExp(`Part for the child or young person\\s+Returned: answered online, received on ${on}`));
    expect(await page.locator('#part-parent').innerText()).toMatch(new RegExp(`Part for the parent or carer\\s+Returned: answered by phone, received on ${on}`));
    expect(await page.locator('#response').count()).toBe(0);
    await screenshot(page, 'u16-helpline-parts');
    await page.goto(`${base}/helpline/${U16}/patients/${young.reference}`);
    expect(await page.locator('#part-parent').innerText()).toMatch(/Part for the parent or carer\s+Not returned/);
    expect(await page.locator('#part-child').count()).toBe(0);
    await page.goto(`${base}/helpline/${U16}/patients/${older.reference}`);
    expect(await page.locator('#response').innerText()).toMatch(/^Paper questionnaire received on .+ \(its answers are not yet scanned, so which parts were answered is not known yet\)$/);
    await context.close();
  }, 120_000);
});
