import type { TestingModule } from '@nestjs/testing';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { WavesService } from '../src/mailings/waves.service';
import { RetentionService } from '../src/retention/retention.service';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve } from './support/browser';
import { ledger, lockedSurvey, SampledPatient, settled, startWorkers } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

/** Four patients; the first three have an e-mail address. */
const rows = () => [1, 2, 3, 4].map((n) => patientRow(n, { surname: `Optwell${'ABCD'[n - 1]}`, email: n < 4 ? `patient${n}@example.invalid` : '' }));
const ONE_CLICK = 'List-Unsubscribe=One-Click';
const unknownCode = (i: number) => `ZZZZ-Z${'ABCDEFGHJKMNPQRTUVWXYZ23456789'[i]}ZZ-ZZZZ`;

describe('the patient opting out, online and from an e-mail', () => {
  let t: TestApp;
  let base: string;
  let smtp: SmtpSink;
  let browser: Browser;
  let page: Page;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];
  const waves = () => t.app.get(WavesService);
  const events = (patientId: string) => t.dataSource.query(
    `SELECT kind, source, recorded_by, details FROM patient_events WHERE patient_id = $1 ORDER BY id`, [patientId]);
  const outcome = async (patientId: string) =>
    (await t.dataSource.query('SELECT outcome FROM patient_outcomes WHERE patient_id = $1', [patientId]))[0].outcome;

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    smtp = await new SmtpSink().start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await smtp.stop();
    await t.app.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    patients = await lockedSurvey(t, rows());
    page = await (await browser.newContext()).newPage();
  });
  afterEach(async () => {
    await page.context().close();
    await workers?.close();
    workers = undefined;
  });

  describe('in the e-mails', () => {
    it("carries the patient's own opt-out link in both bodies and in the List-Unsubscribe headers", async () => {
      workers = await startWorkers(smtp.env());
      await waves().launch('CPES-2026', 'initial', 'test');
      expect((await settled(t, 'initial')).channels.email).toMatchObject({ sent: 3, failed: 0 });
      expect(smtp.received).toHaveLength(3);
      for (const p of patients.filter((x) => x.email)) {
        const [mail] = smtp.to(p.email!);
        const link = `http://localhost:3000/s/${p.access_code}/opt-out`;
        expect(mail.parsed.text).toContain(`tell us here: ${link}`);
        expect(mail.parsed.html).toContain(`<a href="${link}">${link}</a>`);
        const header = (name: string) => mail.parsed.headerLines.filter((h) => h.key === name).map((h) => h.line);
        expect(header('list-unsubscribe')).toEqual([`List-Unsubscribe: <${link}>`]);
        expect(header('list-unsubscribe-post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
        const everything = mail.parsed.headerLines.map((h) => h.line).join('\n') + mail.parsed.text + mail.parsed.html;
        for (const other of patients.filter((o) => o !== p)) expect(everything).not.toContain(other.access_code);
      }
    });

    it("records a mail provider's one-click POST as the patient's opt-out, and the next reminder skips them by post and e-mail", async () => {
      workers = await startWorkers(smtp.env());
      await waves().launch('CPES-2026', 'initial', 'test');
      await settled(t, 'initial');
      const [leaving, staying] = patients;
      const [mail] = smtp.to(leaving.email!);
      const target = new URL(/^List-Unsubscribe: <(.+)>$/.exec(mail.parsed.headerLines.find((h) => h.key === 'list-unsubscribe')!.line)![1]);

      // As a mail provider sends it (RFC 8058): a form body, no cookies, no Origin or Sec-Fetch-Site.
      const res = await request(base).post(target.pathname).type('form').send(ONE_CLICK).expect(200);
      expect(res.text).toContain('You will not be contacted again about this survey');
      expect(await events(leaving.id)).toEqual([
        { kind: 'opt_out', source: 'online', recorded_by: 'online', details: { reason: 'not given', via: 'e-mail one-click' } }]);
      expect(await outcome(leaving.id)).toBe(4);
      expect(await outcome(staying.id)).toBe(6);
      // Sent again, even several at once, it stays one event.
      await Promise.all([1, 2, 3].map(() => request(base).post(target.pathname).type('form').send(ONE_CLICK).expect(200)));
      expect(await events(leaving.id)).toHaveLength(1);
      const audit = await t.dataSource.query(`SELECT actor, patient_reference FROM audit_log WHERE action = 'patient.opt_out'`);
      expect(audit).toEqual([{ actor: 'patient (online)', patient_reference: leaving.reference }]);
      const shown = await t.http().get(`/api/surveys/CPES-2026/patients/${leaving.reference}`).set(t.auth).expect(200);
      expect(shown.body.outcome).toMatchObject({ code: 4 });
      expect(shown.body.events).toEqual([expect.objectContaining({ kind: 'opt_out', source: 'online' })]);

      smtp.received.length = 0;
      await waves().launch('CPES-2026', 'reminder_1', 'test', { now: true });
      await settled(t, 'reminder_1');
      const reminder = (await ledger(t, 'reminder_1')).filter((r) => r.patient_id === leaving.id);
      expect(reminder.map((r) => [r.channel, r.status, r.suppression_reason])).toEqual([
        ['email', 'suppressed', 'opted_out'], ['postal', 'suppressed', 'opted_out']]);
      expect(smtp.to(leaving.email!)).toEqual([]);
      expect(smtp.to(staying.email!)).toHaveLength(1);
    });
  });

  describe('on the opt-out page', () => {
    it('explains what opting out means, records it on confirmation, and says so', async () => {
      const [p] = patients;
      await page.goto(`${base}/s/${p.access_code}/opt-out`);
      await page.getByRole('heading', { level: 1, name: 'I do not want to take part' }).waitFor();
      const text = await page.locator('main').innerText();
      expect(text).toContain('We will not send you any more letters or e-mails about this survey.');
      expect(text).toContain('It does not affect your care or treatment in any way.');
      expect(await page.getByRole('link', { name: 'Go back' }).getAttribute('href')).toBe(`/s/${p.access_code}`);
      await screenshot(page, 'opt-out-1-confirm');
      expect(await events(p.id)).toEqual([]); // opening the page records nothing

      await page.getByRole('button', { name: 'Confirm I do not want to take part' }).click();
      await page.getByRole('heading', { level: 1, name: 'You will not be contacted again about this survey' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('This does not affect your care or treatment in any way.');
      await screenshot(page, 'opt-out-2-done');
      expect(await events(p.id)).toEqual([
        { kind: 'opt_out', source: 'online', recorded_by: 'online', details: { reason: 'not given', via: 'opt-out page' } }]);
      expect(await outcome(p.id)).toBe(4);

      // Coming back (or pressing the button again) says it is done and records nothing more.
      await page.goto(`${base}/s/${p.access_code}/opt-out`);
      await page.getByRole('heading', { level: 1, name: 'You will not be contacted again about this survey' }).waitFor();
      await request(base).post(`/s/${p.access_code}/opt-out`).type('form').send({}).expect(200);
      expect(await events(p.id)).toHaveLength(1);
    });

    it('goes back to the questionnaire from the "Go back" link', async () => {
      const [p] = patients;
      await page.goto(`${base}/s/${p.access_code.toLowerCase().replace(/-/g, '')}/opt-out`);
      await page.getByRole('link', { name: 'Go back' }).click();
      await page.waitForURL((url) => url.pathname.startsWith(`/s/${p.access_code}`) && !url.pathname.endsWith('/opt-out'));
      expect(await events(p.id)).toEqual([]);
    });

    it('tells a patient who has already responded that nothing more will be sent, and records no opt-out', async () => {
      const [p] = patients;
      await t.http().post(`/api/online/${p.access_code}/response`).send({ answers: { gp_visits: '1' } }).expect(201);
      await page.goto(`${base}/s/${p.access_code}/opt-out`);
      await page.getByRole('heading', { level: 1, name: 'You have already taken part' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('we will not send you any more letters or e-mails about this survey');
      await screenshot(page, 'opt-out-3-already-responded');
      const res = await request(base).post(`/s/${p.access_code}/opt-out`).type('form').send({}).expect(200);
      expect(res.text).toContain('You have already taken part');
      await request(base).post(`/s/${p.access_code}/opt-out`).type('form').send(ONE_CLICK).expect(200);
      expect((await events(p.id)).map((e: { kind: string }) => e.kind)).toEqual(['completed']);
      expect(await outcome(p.id)).toBe(1);
    });

    it('tells a patient whose survey has closed that it has finished, and records nothing', async () => {
      const [p] = patients;
      await t.app.get(RetentionService).close('CPES-2026', 'test');
      await page.goto(`${base}/s/${p.access_code}/opt-out`);
      await page.getByRole('heading', { level: 1, name: 'This survey has finished' }).waitFor();
      await screenshot(page, 'opt-out-4-closed');
      const res = await request(base).post(`/s/${p.access_code}/opt-out`).type('form').send({}).expect(409);
      expect(res.text).toContain('This survey has closed, so we will not send you any more letters or e-mails about it.');
      await request(base).post(`/s/${p.access_code}/opt-out`).type('form').send(ONE_CLICK).expect(409);
      expect(await events(p.id)).toEqual([]);
    });

    it('answers an unknown code kindly without repeating it, and counts it against the ten guesses an address may make', async () => {
      await page.goto(`${base}/s/${unknownCode(0)}/opt-out`);
      await page.getByRole('heading', { level: 1, name: 'We could not find that access code' }).waitFor();
      expect(await page.content()).not.toContain('ZZZZ');
      await screenshot(page, 'opt-out-5-unknown-code');
      // Nine more, by page and by one-click, then the address is held back everywhere.
      for (let i = 1; i < 10; i++) {
        const res = i % 2
          ? await request(base).get(`/s/${unknownCode(i)}/opt-out`).expect(404)
          : await request(base).post(`/s/${unknownCode(i)}/opt-out`).type('form').send(ONE_CLICK).expect(404);
        expect(res.text.toUpperCase()).not.toContain('ZZZZ');
      }
      const held = await request(base).get(`/s/${unknownCode(10)}/opt-out`).expect(429);
      expect(held.text).toContain('Please wait before trying again');
      await request(base).post(`/s/${patients[0].access_code}/opt-out`).type('form').send(ONE_CLICK).expect(429);
      await request(base).get(`/s/${patients[0].access_code}`).expect(429);
      await request(base).get(`/api/online/${patients[0].access_code}`).expect(429);
      expect(await t.dataSource.query('SELECT 1 FROM patient_events')).toEqual([]);
    });

    it('does not repeat a hostile value put in the address', async () => {
      const marker = encodeURIComponent(`ZZQX<script>'OR'1'='1`);
      for (const res of [await request(base).get(`/s/${marker}/opt-out`), await request(base).post(`/s/${marker}/opt-out`).type('form').send(ONE_CLICK)]) {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.text.toUpperCase()).not.toContain('ZZQX');
      }
    });
  });

  describe('from another site', () => {
    let evil: Server;
    let evilBase: string;
    beforeAll(async () => {
      // Another origin (same host, another port) whose page posts to the opt-out address.
      evil = createServer((req, res) => {
        const code = new URL(req.url!, 'http://x').searchParams.get('code');
        res.setHeader('Content-Type', 'text/html');
        res.end(`<!doctype html><html lang="en"><title>Prize</title><body><form id="f" method="post" action="${base}/s/${code}/opt-out">`
          + `<input type="hidden" name="List-Unsubscribe" value="One-Click"></form><script>document.getElementById('f').submit()</script></body></html>`);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      evilBase = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => evil.close(resolve)));

    it("refuses a browser's POST sent from another origin's page, recording nothing", async () => {
      const [p] = patients;
      const answer = page.waitForResponse((r) => r.url().endsWith('/opt-out') && r.request().method() === 'POST');
      await page.goto(`${evilBase}/?code=${p.access_code}`);
      const res = await answer;
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('another site');
      // And as a script forging a browser's headers would send it.
      await request(base).post(`/s/${p.access_code}/opt-out`).set({ Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })
        .type('form').send(ONE_CLICK).expect(403);
      expect(await events(p.id)).toEqual([]);
      expect(await outcome(p.id)).toBe(6);
    });
  });
});
