import { PublicationService } from '../src/results/publication.service';
import { UsersService } from '../src/users/users.service';
import { startApp, TestApp } from './support/app';
import { seedResultsSurvey } from './support/results-survey';

/**
 * The local reports are reached from the pages people already use: a trust's own pages link to
 * its report, the national results to the national, ICB and Cancer Alliance ones, and every
 * link answers. Before publication the trust's results page, its report page and its files are
 * refused with the publication date.
 */
describe('links to the local reports', () => {
  let t: TestApp;
  let trust: { Authorization: string };
  const FUTURE = '2099-06-10T09:30:00Z';

  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
    const users = t.app.get(UsersService);
    const { user } = await users.add({ email: 'raa.links@example.invalid', role: 'trust', trustCode: 'RAA' }, 'test');
    await t.dataSource.query('UPDATE users SET must_change_password = false WHERE id = $1', [user.id]);
    trust = { Authorization: `Bearer ${(await users.createToken(user.id, 'tests')).token}` };
  }, 120_000);
  afterAll(() => t.app.close());

  const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));

  it("links a trust's own pages to its local report, whose page and downloads answer", async () => {
    const home = await t.http().get('/trust?survey=CPES-2026').set(trust).expect(200);
    expect(hrefs(home.text)).toContain('/reports/CPES-2026/trust/RAA');
    const results = await t.http().get('/trust/results/CPES-2026/RAA').set(trust).expect(200);
    expect(hrefs(results.text)).toContain('/reports/CPES-2026/trust/RAA');

    const report = await t.http().get('/reports/CPES-2026/trust/RAA').set(trust).expect(200);
    const downloads = hrefs(report.text).filter((h) => h.startsWith('/api/'));
    expect(downloads).toEqual(['/api/surveys/CPES-2026/results/reports/trust/RAA?format=pdf', '/api/surveys/CPES-2026/results/reports/trust/RAA?format=xlsx']);
    expect((await t.http().get(downloads[0]).set(trust).expect(200)).headers['content-type']).toBe('application/pdf');
    expect((await t.http().get(downloads[1]).set(trust).expect(200)).headers['content-type']).toContain('spreadsheetml');
  });

  it("gives a trust user their own trust's overall rating from publication", async () => {
    const rating = await t.http().get('/api/surveys/CPES-2026/reports/overall-rating').set(trust).expect(200);
    expect(rating.body).toMatchObject({ survey: 'CPES-2026', national: { level: 'national' } });
    expect(rating.body.trusts.filter((r: { code: string }) => r.code !== 'RAA')).toEqual([]);
  });

  it('links the national results to the national, ICB and Cancer Alliance reports, each of which answers', async () => {
    const page = await t.http().get('/coordinator/CPES-2026/results').set(t.auth).expect(200);
    const reports = hrefs(page.text).filter((h) => h.startsWith('/reports/'));
    expect(reports).toEqual(['/reports/CPES-2026/national', '/reports/CPES-2026/icb/QWO', '/reports/CPES-2026/alliance/E56000099']);
    for (const href of reports) expect([href, (await t.http().get(href).set(t.auth)).status]).toEqual([href, 200]);
    // Each trust's results page, linked from the national one, links on to that trust's report.
    const raa = await t.http().get('/trust/results/CPES-2026/RAA').set(t.auth).expect(200);
    expect(hrefs(raa.text)).toContain('/reports/CPES-2026/trust/RAA');
  });

  it("refuses the trust's results page, report page and report files before publication, saying when", async () => {
    const publication = t.app.get(PublicationService);
    await publication.set('CPES-2026', FUTURE, { id: 'test', role: 'coordinator' });
    try {
      for (const path of ['/trust/results/CPES-2026/RAA', '/reports/CPES-2026/trust/RAA']) {
        const refused = await t.http().get(path).set(trust).expect(403);
        expect([path, refused.text.includes('10 June 2099'), refused.text.includes('71.4')]).toEqual([path, true, false]);
      }
      for (const format of ['pdf', 'xlsx', 'json']) {
        const refused = await t.http().get(`/api/surveys/CPES-2026/results/reports/trust/RAA?format=${format}`).set(trust).expect(403);
        expect([format, refused.body.error.message]).toEqual([format, expect.stringContaining('will be published on 10 June 2099')]);
      }
      await t.http().get('/reports/CPES-2026/trust/RAA').expect((res) => expect([302, 303, 401]).toContain(res.status));
      // The mean overall care rating is a result too; response rates (fieldwork monitoring) are not.
      const rating = await t.http().get('/api/surveys/CPES-2026/reports/overall-rating').set(trust).expect(403);
      expect(rating.body.error.message).toContain('10 June 2099');
      await t.http().get('/api/surveys/CPES-2026/reports/overall-rating').set(t.auth).expect(200);
      await t.http().get('/api/surveys/CPES-2026/reports/response-rates').set(trust).expect(200);
    } finally {
      await publication.set('CPES-2026', '2026-01-01T09:30:00Z', { id: 'test', role: 'coordinator' });
    }
  });
});
