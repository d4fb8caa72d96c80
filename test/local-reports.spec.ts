import ExcelJS from 'exceljs';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReportsService } from '../src/reports/reports.service';
import { PublicationService } from '../src/results/publication.service';
import { scoresReport } from '../src/results/results-report';
import { ResultsService } from '../src/results/results.service';
import { UsersService } from '../src/users/users.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { pdfPages } from './support/pdf';
import { seedResultsSurvey } from './support/results-survey';

/**
 * Local reports on the small synthetic survey of support/results-survey.ts (its comment gives
 * the data and the hand-worked figures): read back from the PDF's text layer and the
 * workbook's cells, and compared with the results service's own figures.
 *   RAA Q2: base 21, score 71.4, adjusted 71.4, 99.8% range 28.1–93.9, within; 2025: 40.0 → +31.4, significant.
 *   RBB Q2: base 20: withheld. Everyone lives in ICB QWO, Cancer Alliance E56000099.
 */
describe('local reports', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const binary = (res: NodeJS.ReadableStream, cb: (e: Error | null, b: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };
  const get = (path: string, auth: Record<string, string> = t.auth) => t.http().get(path).set(auth).buffer(true).parse(binary as never);
  const bearer = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const outDir = process.env.STORAGE_DIR!;

  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
    const users = t.app.get(UsersService);
    for (const [email, role, trustCode] of [['rbb.reports@example.invalid', 'trust', 'RBB'], ['help.reports@example.invalid', 'helpline', undefined]] as const) {
      const { user } = await users.add({ email, role, trustCode }, 'test');
      await t.dataSource.query('UPDATE users SET must_change_password = false WHERE id = $1', [user.id]);
      tokens[role] = (await users.createToken(user.id, 'tests')).token;
    }
  }, 120_000);
  afterAll(async () => {
    await t.app.close();
    // This Jest worker's storage folder is shared with later specs (the purge's checks no PDF is left): leave it as found.
    for (const file of ['cli-icb.pdf', 'cli-national.xlsx']) rmSync(join(outDir, file), { force: true });
  });

  const q2 = (body: { scores: { question: string }[] }) => body.scores.find((s) => s.question === 'gp_explained_referral') as any;

  it("gives a trust's report the results service's figures: scores, expected ranges, change, frequencies, breakdowns, response rate", async () => {
    const { body } = await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RAA').set(t.auth).expect(200);
    expect(body).toMatchObject({ survey: 'CPES-2026', previousSurvey: 'CPES-2025', level: 'trust', code: 'RAA', name: 'Synthetic RAA NHS Trust', threshold: 21, respondents: 22, comments: [] });
    const expected = scoresReport(await t.app.get(ResultsService).results('CPES-2026'), 'RAA');
    for (const q of expected.questions) {
      const mine = body.scores.find((s: { question: string }) => s.question === q.question);
      const [x] = q.trusts;
      expect(mine).toMatchObject({ number: q.number, base: x.base, score: x.score, adjusted: x.adjusted, range95: x.range95, range998: x.range998, flag: x.flag, suppressed: x.suppressed, national: q.national.suppressed ? null : q.national.score });
    }
    expect(q2(body)).toMatchObject({ base: 21, positive: 15, score: 71.4, adjusted: 71.4, range998: [28.1, 93.9], flag: 'within', change: { previous: 40, change: 31.4, significant: true } });
    // Response rate as the response-rate report gives it.
    const rates = await t.app.get(ReportsService).responseRates('CPES-2026', { id: 'test', role: 'coordinator' });
    const raa = rates.trusts.find((r) => r.code === 'RAA')!;
    expect(body.responseRate).toEqual({ sampled: raa.sampled, eligible: 23, responded: raa.outcomes[1], rate: raa.adjustedRate });
    // Frequencies: 21 answered Q2 in RAA (plus one "4"): 15 × 1, 6 × 3, 1 × 4.
    const f = body.frequencies.find((x: { question: string }) => x.question === 'gp_explained_referral');
    expect(f).toMatchObject({ answered: 22, suppressed: false });
    expect(f.options.map((o: { count: number }) => o.count)).toEqual([15, 0, 6, 1]);
    // Breakdown by sex: all 21 women; the empty groups are withheld.
    const sex = body.breakdowns.find((b: { by: string }) => b.by === 'sex');
    expect(q2({ scores: sex.rows }).cells).toEqual([
      { group: 'male', base: 0, positive: null, score: null, suppressed: true },
      { group: 'female', base: 21, positive: 15, score: 71.4, suppressed: false },
      { group: 'other or not known', base: 0, positive: null, score: null, suppressed: true },
    ]);
  });

  it('gives ICB, Cancer Alliance and national reports their residents\' scores with bases', async () => {
    const icb = (await t.http().get('/api/surveys/CPES-2026/results/reports/icb/QWO').set(t.auth).expect(200)).body;
    expect(icb).toMatchObject({ level: 'icb', code: 'QWO', respondents: 42 });
    expect(icb.comments).toBeUndefined();
    // 25 of 41 against 10 of 25: pooled p = 35/66, 1.959964 × √(p(1 − p)(1/41 + 1/25)) = 0.248 > 0.210: not significant.
    expect(q2(icb)).toMatchObject({ base: 41, positive: 25, score: 61.0, suppressed: false, change: { previous: 40, change: 21, significant: false } });
    expect(q2(icb).adjusted).toBeUndefined();
    const alliance = (await t.http().get('/api/surveys/CPES-2026/results/reports/alliance/E56000099').set(t.auth).expect(200)).body;
    expect(q2(alliance)).toMatchObject({ base: 41, score: 61.0 });
    const national = (await t.http().get('/api/surveys/CPES-2026/results/reports/national?format=json').set(t.auth).expect(200)).body;
    expect(national).toMatchObject({ level: 'national', code: null, name: 'England', respondents: 42 });
    expect(q2(national)).toMatchObject({ base: 41, positive: 25, score: 61.0 });
    await t.http().get('/api/surveys/CPES-2026/results/reports/icb/QZZ').set(t.auth).expect(404);
    await t.http().get('/api/surveys/CPES-2026/results/reports/national?format=docx').set(t.auth).expect(400);
  });

  it('lets ResultsAccess decide: a trust user sees their own trust, not another; others as it says', async () => {
    await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RBB').set(bearer('trust')).expect(200);
    await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RAA').set(bearer('trust')).expect(403);
    await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RAA').set(bearer('helpline')).expect(403);
    await t.http().get('/api/surveys/CPES-2026/results/reports/national').expect(401);
    const [row] = await t.dataSource.query(`SELECT action, subject FROM audit_log WHERE action = 'results.report.trust' ORDER BY id DESC LIMIT 1`);
    expect(row).toEqual({ action: 'results.report.trust', subject: 'RBB' });
    // Which ICB's report was read is in the trail too.
    const [icb] = await t.dataSource.query(`SELECT subject FROM audit_log WHERE action = 'results.report.icb' ORDER BY id DESC LIMIT 1`);
    expect(icb).toEqual({ subject: 'QWO' });
  });

  it('follows the embargo: before publication only coordinators and the pre-release list, of any role, see a report', async () => {
    const publication = t.app.get(PublicationService);
    const coordinator = { id: 'test', role: 'coordinator' as const };
    await publication.set('CPES-2026', '2099-06-10T09:30:00Z', coordinator);
    try {
      const refused = await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RBB').set(bearer('trust')).expect(403);
      expect(refused.body.error.message).toContain('2099');
      await t.http().get('/api/surveys/CPES-2026/results/reports/icb/QWO').set(bearer('trust')).expect(403);
      await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RAA?format=pdf').set(t.auth).expect(200);
      await publication.addPrerelease('CPES-2026', 'help.reports@example.invalid', coordinator);
      await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RAA').set(bearer('helpline')).expect(200);
      await t.http().get('/api/surveys/CPES-2026/results/reports/national?format=xlsx').set(bearer('helpline')).expect(200);
      await publication.removePrerelease('CPES-2026', 'help.reports@example.invalid', coordinator);
    } finally {
      await publication.set('CPES-2026', '2026-01-01T09:30:00Z', coordinator);
    }
  });

  it('prints the figures in the PDF: title page, charts, change, withheld figures in words, comments, page numbers', async () => {
    const res = await get('/api/surveys/CPES-2026/results/reports/trust/RAA?format=pdf').expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain('CPES-2026-trust-RAA.pdf');
    const pages = await pdfPages(res.body);
    const text = pages.join('\n').replace(/\s+/g, ' ');
    expect(pages[0]).toContain('Synthetic RAA NHS Trust');
    expect(pages[0]).toContain('Trust report · RAA');
    expect(text).toContain('Response rate 95.7%'); // 22 of 23 eligible
    expect(text).toContain('Score 71.4 · adjusted 71.4 · expected range 28.1–93.9 · Within the expected range · base 21 · national 61.0');
    expect(text).toContain('Change since CPES-2025: +31.4 points (40.0 before), significant');
    expect(text).toContain('fewer than 21 respondents (base 0)');
    expect(text).toContain("Patients' comments");
    expect(text).toContain('There are no comments to show for this trust.');
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of ${pages.length}`));

    // RBB's Q2 rests on 20: withheld in words, never the figure (10 of 20 = 50.0).
    const rbb = (await pdfPages((await get('/api/surveys/CPES-2026/results/reports/trust/RBB?format=pdf').expect(200)).body)).join('\n');
    expect(rbb).toContain('fewer than 21 respondents (base 20)');
    expect(rbb).not.toContain('50.0');
  });

  it('writes the workbook one sheet per table, numbers as numbers, withheld cells blank with a note', async () => {
    const res = await get('/api/surveys/CPES-2026/results/reports/trust/RBB?format=xlsx').expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Response rate', 'Scores', 'Frequencies', 'Tumour group', 'Age band', 'Sex', 'Ethnic group', 'IMD quintile', 'Secondary breast cancer', 'Comments']);
    const scores = wb.getWorksheet('Scores')!;
    expect(String(scores.getCell('A1').value)).toContain('Blank cells are withheld figures: they rest on fewer than 21 respondents');
    const header = (scores.getRow(3).values as unknown[]).slice(1);
    const row = (ws: ExcelJS.Worksheet, match: (v: unknown[]) => boolean) => {
      for (let i = 4; i <= ws.rowCount; i++) { const v = (ws.getRow(i).values as unknown[]).slice(1); if (match(v)) return Object.fromEntries(header.map((h, k) => [h, v[k] ?? null])); }
      return null;
    };
    const rbbQ2 = row(scores, (v) => v[0] === 2)!;
    expect(rbbQ2).toMatchObject({ Base: 20, Positive: null, Score: null, 'Adjusted score': null, 'National score': 61, Note: 'fewer than 21 respondents' });

    const raa = new ExcelJS.Workbook();
    await raa.xlsx.load((await get('/api/surveys/CPES-2026/results/reports/trust/RAA?format=xlsx').expect(200)).body);
    const raaScores = raa.getWorksheet('Scores')!;
    const raaHeader = (raaScores.getRow(3).values as unknown[]).slice(1);
    const q2Row = (raaScores.getRow([...Array(raaScores.rowCount).keys()].find((i) => raaScores.getRow(i + 1).getCell(1).value === 2)! + 1).values as unknown[]).slice(1);
    const cells = Object.fromEntries(raaHeader.map((h, k) => [h, q2Row[k] ?? null]));
    expect(cells).toMatchObject({ Base: 21, Positive: 15, Score: 71.4, 'Adjusted score': 71.4, '99.8% low': 28.1, '99.8% high': 93.9, 'Against the expected range': 'within',
      'Score CPES-2025': 40, 'Change (points)': 31.4, Significant: 'yes', Note: null });
    expect(typeof cells.Score).toBe('number');
    const rate = raa.getWorksheet('Response rate')!;
    expect(typeof rate.getCell('B4').value).toBe('number');
    // RAA's Q2 by secondary breast cancer: 3 "yes" (all positive) and 18 others, both under 21, so both blank.
    const spread = raa.getWorksheet('Secondary breast cancer')!;
    const q2Groups = [...Array(spread.rowCount).keys()].map((i) => (spread.getRow(i + 1).values as unknown[]).slice(1)).filter((v) => v[0] === 2);
    expect(q2Groups).toEqual([[2, 'yes', 3, undefined, undefined, 'fewer than 21 respondents'], [2, 'no', 18, undefined, undefined, 'fewer than 21 respondents']]);
  });

  it('writes one report from the CLI, and refuses anything but exactly one scope', async () => {
    const out = join(outDir, 'cli-icb.pdf');
    const run = await cli(['results:report', '--survey', 'CPES-2026', '--icb', 'QWO', '--format', 'pdf', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Wrote the icb report');
    expect((await pdfPages(readFileSync(out))).join('\n')).toContain('Integrated Care Board report · QWO');

    const xlsx = join(outDir, 'cli-national.xlsx');
    expect((await cli(['results:report', '--survey', 'CPES-2026', '--national', '--format', 'xlsx', '--out', xlsx])).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.getWorksheet('Comments')).toBeUndefined();

    const two = await cli(['results:report', '--survey', 'CPES-2026', '--trust', 'RAA', '--national', '--format', 'pdf', '--out', out]);
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('Name exactly one report: --trust RXX, --icb QXX, --alliance EXX or --national');
    const none = await cli(['results:report', '--survey', 'CPES-2026', '--format', 'pdf', '--out', out]);
    expect(none.code).toBe(1);
    const badFormat = await cli(['results:report', '--survey', 'CPES-2026', '--national', '--format', 'doc', '--out', out]);
    expect(badFormat.stderr).toContain('Give --format pdf or --format xlsx');
  }, 120_000);
  it("carries the trust's patients' comments redacted, in the JSON, the PDF and the workbook", async () => {
    const [who] = await t.dataSource.query(
      `SELECT r.id, p.surname FROM responses r JOIN patients p ON p.id = r.patient_id JOIN surveys s ON s.id = r.survey_id
       WHERE s.code = 'CPES-2026' AND p.trust_code = 'RAA' ORDER BY p.row_number LIMIT 1`);
    const comment = `Ask for ${who.surname} on 0113 496 0000 or write to kind.nurse@example.invalid: the nurses were kind.`;
    await t.dataSource.query(`UPDATE responses SET answers = answers || jsonb_build_object('could_improve', $2::text) WHERE id = $1`, [who.id, comment]);

    const { body } = await t.http().get('/api/surveys/CPES-2026/results/reports/trust/RAA').set(t.auth).expect(200);
    expect(body.comments).toHaveLength(1);
    const [c] = body.comments;
    expect(c.text).toContain('the nurses were kind.');
    for (const planted of [who.surname, '0113 496 0000', 'kind.nurse@example.invalid']) expect(c.text).not.toContain(planted);
    expect(c.text).toContain('[removed]');

    const pdf = (await pdfPages((await get('/api/surveys/CPES-2026/results/reports/trust/RAA?format=pdf').expect(200)).body)).join(' ').replace(/\s+/g, ' ');
    expect(pdf).toContain('the nurses were kind.');
    expect(pdf).not.toContain(who.surname);
    expect(pdf).not.toContain('There are no comments');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await get('/api/surveys/CPES-2026/results/reports/trust/RAA?format=xlsx').expect(200)).body);
    expect(wb.getWorksheet('Comments')!.getCell('C4').value).toBe(c.text);
  });
});
