import type { TestingModule } from '@nestjs/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../src/auth/roles';
import { DeathsService } from '../src/deaths/deaths.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { ReportsService, type WholeRatingReport } from '../src/reports/reports.service';
import { PublicationService } from '../src/results/publication.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { settled, startWorkers } from './support/mailing-survey';
import { csvFile, patientRow, tmp } from './support/sample-files';

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
const daysAgo = (n: number) => new Date(Date.parse(`${today()}T12:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/**
 * A survey with known outcomes: every figure of the reports is asserted.
 *   RXX (ICB QAA), 8 patients: scanned paper (rating 8), online (9), phone (7), blank, undelivered,
 *     died during fieldwork, not eligible, no response.
 *   RYY (ICB QAA), 4 patients: online (rating 10), died before fieldwork, two no response.
 *   RZZ (no ICB), 2 patients: no response.
 */
describe('reports', () => {
  let t: TestApp;
  let workers: TestingModule;
  const refs: Record<string, string[]> = {};
  const reports = () => t.app.get(ReportsService);
  const coordinator: Principal = { id: 'coordinator', role: 'coordinator' };

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.http().post('/api/surveys').set(t.auth)
      .send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30', settings: { suppressionThreshold: 3 } }).expect(201);
    for (const [code, icb] of [['RXX', 'QAA'], ['RYY', 'QAA'], ['RZZ', undefined]]) {
      await t.http().post('/api/trusts').set(t.auth).send({ code, name: `${code} Synthetic NHS Trust`, ...(icb ? { icb } : {}) }).expect(201);
    }
    const sizes = { RXX: 8, RYY: 4, RZZ: 2 } as const;
    let n = 0;
    for (const [trust, size] of Object.entries(sizes)) {
      const rows = Array.from({ length: size }, () => patientRow(++n, { trust_code: trust, site_code: `${trust}01` }));
      const path = csvFile(`report-${trust}.csv`, rows);
      await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: trust, path, fileName: 'sample.csv', uploadedBy: 'test' });
      refs[trust] = (await t.dataSource.query('SELECT survey_reference AS r FROM patients WHERE trust_code = $1 ORDER BY row_number', [trust])).map((r: { r: string }) => r.r);
    }
    await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(201);
    // RYY's second patient is on the trace before the first mailing: code 7.
    const [{ nhs }] = await t.dataSource.query('SELECT nhs_number AS nhs FROM patients WHERE survey_reference = $1', [refs.RYY[1]]);
    const trace = join(tmp, 'report-trace.csv');
    writeFileSync(trace, `nhs_number,date_of_death\r\n${nhs},2026-11-01\r\n`);
    await t.app.get(DeathsService).import('CPES-2026', trace, 'trace.csv', 'test');

    workers = await startWorkers();
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    // Fieldwork began three days ago: move the ledger's times back so responses spread over days.
    await t.dataSource.query(`UPDATE mailings SET completed_at = completed_at - interval '3 days'`);

    const [p1, p2, p3, p4, p5, p6, p7] = refs.RXX;
    const access = async (ref: string) => (await t.dataSource.query('SELECT access_code FROM patients WHERE survey_reference = $1', [ref]))[0].access_code;
    const scans = join(tmp, 'report-scans.csv');
    writeFileSync(scans, `reference,received_date,gp_visits,overall_rating\r\n${p1},${daysAgo(2)},2,8\r\n`);
    expect((await cli(['scans:import', '--survey', 'CPES-2026', '--file', scans, '--json'])).json).toMatchObject({ recorded: 1 });
    await t.http().post(`/api/online/${await access(p2)}/response`).send({ answers: { overall_rating: 9 } }).expect(201);
    await t.http().post(`/api/surveys/CPES-2026/patients/${p3}/responses`).set(t.auth).send({ answers: { overall_rating: 7 } }).expect(201);
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: p4, type: 'blank' }).expect(200);
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: p5, type: 'undelivered' }).expect(200);
    await t.http().post(`/api/surveys/CPES-2026/patients/${p6}/contacts`).set(t.auth).send({ type: 'deceased', dateOfDeath: today() }).expect(201);
    await t.http().post(`/api/surveys/CPES-2026/patients/${p7}/contacts`).set(t.auth).send({ type: 'ineligible', reason: 'Not treated at this trust' }).expect(201);
    await t.http().post(`/api/online/${await access(refs.RYY[0])}/response`).send({ answers: { overall_rating: 10 } }).expect(201);
  });
  afterAll(async () => {
    await workers?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  it('gives every count and rate per trust, per ICB and nationally', async () => {
    const r = await reports().responseRates('CPES-2026', coordinator);
    const mailedInitial = (postal: number) => ({ initial: { postal, email: 0 }, reminder_1: { postal: 0, email: 0 }, reminder_2: { postal: 0, email: 0 } });
    expect(r.trusts).toEqual([
      {
        level: 'trust', code: 'RXX', name: 'RXX Synthetic NHS Trust', icb: 'QAA', sampled: 8,
        outcomes: { 1: 3, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 0 }, byMode: { paper: 1, online: 1, phone: 1 },
        mailed: mailedInitial(8), adjustedRate: 60, unadjustedRate: 37.5, // 3 / (8 - 1 - 1 - 1); 3 / 8
      },
      {
        level: 'trust', code: 'RYY', name: 'RYY Synthetic NHS Trust', icb: 'QAA', sampled: 4,
        outcomes: { 1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 2, 7: 1 }, byMode: { paper: 0, online: 1, phone: 0 },
        mailed: mailedInitial(3), adjustedRate: 33.3, unadjustedRate: 25, // 1 / 3; 1 / 4
      },
      {
        level: 'trust', code: 'RZZ', name: 'RZZ Synthetic NHS Trust', icb: null, sampled: 2,
        outcomes: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 2, 7: 0 }, byMode: { paper: 0, online: 0, phone: 0 },
        mailed: mailedInitial(2), adjustedRate: 0, unadjustedRate: 0,
      },
    ]);
    expect(r.icbs.map((x) => [x.code, x.sampled, x.outcomes[1], x.adjustedRate, x.unadjustedRate])).toEqual([
      ['QAA', 12, 4, 50, 33.3], // 4 / (12 - 4); 4 / 12
      ['unassigned', 2, 0, 0, 0],
    ]);
    expect(r.national).toMatchObject({
      level: 'national', code: 'national', sampled: 14, outcomes: { 1: 4, 2: 1, 3: 1, 4: 1, 5: 1, 6: 5, 7: 1 },
      byMode: { paper: 1, online: 2, phone: 1 }, mailed: mailedInitial(13), adjustedRate: 40, unadjustedRate: 28.6, // 4 / 10; 4 / 14
    });
  });

  it('shows a trust user only their own trust and the national figures', async () => {
    const ryy: Principal = { id: 'ryy-user', role: 'trust', trustCode: 'RYY' };
    const rates = await reports().responseRates('CPES-2026', ryy);
    expect(rates.trusts.map((x) => x.code)).toEqual(['RYY']);
    expect(rates.icbs).toEqual([]);
    expect(rates.national.sampled).toBe(14);
    expect((await reports().responsesOverTime('CPES-2026', ryy)).series.map((s) => s.code)).toEqual(['national', 'RYY']);
    // The mean rating is a result: refused until publication (none is set), then the trust's own.
    await expect(reports().overallRating('CPES-2026', ryy)).rejects.toThrow('no publication date has been set yet');
    const publication = t.app.get(PublicationService);
    await publication.set('CPES-2026', '2026-01-01T09:30:00Z', coordinator);
    try {
      expect((await reports().overallRating('CPES-2026', ryy) as WholeRatingReport).trusts.map((x) => x.code)).toEqual(['RYY']);
    } finally {
      await publication.set('CPES-2026', null, coordinator);
    }
  });

  it('counts responses per day since the first mailing, cumulatively', async () => {
    const r = await reports().responsesOverTime('CPES-2026', coordinator);
    expect(r).toMatchObject({ firstMailing: daysAgo(3), until: today() });
    const points = (code: string) => r.series.find((s) => s.code === code)!.points.map((p) => [p.date, p.responses, p.cumulative]);
    expect(points('national')).toEqual([[daysAgo(3), 0, 0], [daysAgo(2), 1, 1], [daysAgo(1), 0, 1], [today(), 3, 4]]);
    expect(points('RXX')).toEqual([[daysAgo(3), 0, 0], [daysAgo(2), 1, 1], [daysAgo(1), 0, 1], [today(), 2, 3]]);
    expect(points('RZZ').map(([, , c]) => c)).toEqual([0, 0, 0, 0]);
  });

  it('gives the overall care rating with the mean withheld below the threshold', async () => {
    const r = await reports().overallRating('CPES-2026', coordinator);
    expect(r).toEqual({
      survey: 'CPES-2026', question: 'overall_rating', threshold: 3,
      trusts: [
        { level: 'trust', code: 'RXX', name: 'RXX Synthetic NHS Trust', respondents: 3, mean: 8, suppressed: false },
        { level: 'trust', code: 'RYY', name: 'RYY Synthetic NHS Trust', respondents: 1, mean: null, suppressed: true },
      ],
      national: { level: 'national', code: 'national', name: 'England', respondents: 4, mean: 8.5, suppressed: false },
    });
  });

  it('serves the same figures as CSV and a chart over HTTP and from the command line', async () => {
    const csv = await t.http().get('/api/surveys/CPES-2026/reports/response-rates?format=csv').set(t.auth).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('level,code,name,icb,sampled,outcome_1,outcome_2,outcome_3,outcome_4,outcome_5,outcome_6,outcome_7,'
      + 'responses_paper,responses_online,responses_phone,mailed_initial_postal,mailed_initial_email,mailed_reminder_1_postal,'
      + 'mailed_reminder_1_email,mailed_reminder_2_postal,mailed_reminder_2_email,adjusted_rate,unadjusted_rate');
    expect(lines.at(-1)).toBe('national,national,England,,14,4,1,1,1,1,5,1,1,2,1,13,0,0,0,0,0,40.0,28.6');
    expect(lines).toContain('trust,RYY,RYY Synthetic NHS Trust,QAA,4,1,0,0,0,0,2,1,0,1,0,3,0,0,0,0,0,33.3,25.0');

    const fromCli = await cli(['report:response-rates', '--survey', 'CPES-2026', '--csv']);
    expect(fromCli.stdout.trim().split('\n').map((l) => l.trimEnd())).toEqual(lines);
    expect((await cli(['report:response-rates', '--survey', 'CPES-2026', '--json'])).json.national.adjustedRate).toBe(40);

    const svg = await t.http().get('/api/surveys/CPES-2026/reports/responses-over-time.svg?trust=RXX').set(t.auth).expect(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    const chart = svg.body.toString();
    expect(chart).toMatch(/^<svg[^>]+width="800"/);
    expect(chart).toContain('CPES-2026: cumulative responses, RXX Synthetic NHS Trust');
    expect(chart).toContain('<path'); // the line itself
    await t.http().get('/api/surveys/CPES-2026/reports/responses-over-time.svg?trust=RQQ').set(t.auth).expect(404);

    const file = join(tmp, 'national.svg');
    const written = await cli(['report:responses-over-time', '--survey', 'CPES-2026', '--svg', file, '--json']);
    expect(written.json.chart).toBe(file);
    expect(readFileSync(file, 'utf8')).toContain('cumulative responses, England');
    const over = await t.http().get('/api/surveys/CPES-2026/reports/responses-over-time?format=csv').set(t.auth).expect(200);
    expect(over.text.split('\r\n')).toContain(`national,England,${today()},3,4`);
    const rating = await t.http().get('/api/surveys/CPES-2026/reports/overall-rating?format=csv').set(t.auth).expect(200);
    expect(rating.text).toBe('level,code,name,respondents,mean,suppressed\r\ntrust,RXX,RXX Synthetic NHS Trust,3,8.0,no\r\n'
      + 'trust,RYY,RYY Synthetic NHS Trust,1,,yes\r\nnational,national,England,4,8.5,no\r\n');
  });
  // Last: it adds a death. The report counts the living and the dead by separate queries; both must
  // give exactly what the patient_outcomes view gives each patient.
  it('counts a patient who answered and then died as responded, exactly as the outcomes view does', async () => {
    const [{ nhs }] = await t.dataSource.query('SELECT nhs_number AS nhs FROM patients WHERE survey_reference = $1', [refs.RXX[1]]);
    writeFileSync(join(tmp, 'report-trace-2.csv'), `nhs_number,date_of_death\r\n${nhs},${today()}\r\n`);
    await t.app.get(DeathsService).import('CPES-2026', join(tmp, 'report-trace-2.csv'), 'trace.csv', 'test');
    const r = await reports().responseRates('CPES-2026', coordinator);
    expect(r.national).toMatchObject({ sampled: 14, outcomes: { 1: 4, 2: 1, 3: 1, 4: 1, 5: 1, 6: 5, 7: 1 }, byMode: { paper: 1, online: 2, phone: 1 } });
    const view: { trust_code: string; outcome: number; response_mode: string | null; n: number }[] = await t.dataSource.query(
      `SELECT trust_code, outcome, response_mode, count(*)::int AS n FROM patient_outcomes o JOIN surveys s ON s.id = o.survey_id
       WHERE s.code = 'CPES-2026' GROUP BY 1, 2, 3`);
    for (const trust of r.trusts) {
      const mine = view.filter((v) => v.trust_code === trust.code);
      expect(trust.outcomes).toEqual(Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((c) => [c, mine.filter((v) => v.outcome === c).reduce((n, v) => n + v.n, 0)])));
      for (const mode of ['paper', 'online', 'phone'] as const) {
        expect(trust.byMode[mode]).toBe(mine.filter((v) => v.outcome === 1 && v.response_mode === mode).reduce((n, v) => n + v.n, 0));
      }
    }
    expect(view.filter((v) => v.outcome === 1).reduce((n, v) => n + v.n, 0)).toBe(4);
  });
});
