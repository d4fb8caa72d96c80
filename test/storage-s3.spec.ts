import type { TestingModule } from '@nestjs/testing';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AreaLookupService } from '../src/areas/area-lookup.service';
import { FileStore } from '../src/infra/storage/file-store';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { RetentionService } from '../src/retention/retention.service';
import { startApp, TestApp } from './support/app';
import { areaFile, areaRow } from './support/area-files';
import { cli } from './support/cli';
import { lockedSurvey, settled, startWorkers } from './support/mailing-survey';
import { pdfPages } from './support/pdf';
import { seedResultsSurvey } from './support/results-survey';
import { S3StandIn } from './support/s3-stand-in';
import { patientRow } from './support/sample-files';

const binary = (res: NodeJS.ReadableStream, cb: (e: Error | null, b: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/**
 * The service and its workers with STORAGE_URL pointing at an S3 stand-in: every generated file
 * is in the bucket, none in the storage folder, and each is served back over HTTP.
 */
describe('files in an object store (STORAGE_URL=s3://…)', () => {
  let s3: S3StandIn;
  let t: TestApp;
  let workers: TestingModule | undefined;
  const saved = { ...process.env };
  const get = (path: string) => t.http().get(path).set(t.auth).buffer(true).parse(binary as never);
  const store = () => t.app.get(FileStore);
  /** Generated files this Jest worker's storage folder holds (the sample files the tests import aside). */
  const generatedHere = () => ['print', 'outbox', 'reports', 'staging'].flatMap((d) => {
    const dir = join(process.env.STORAGE_DIR!, d);
    return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [];
  }).sort();
  /** What specs run earlier in this Jest worker left there (with the local store) is not this spec's. */
  let before: string[] = [];
  const localFiles = () => generatedHere().filter((f) => !before.includes(f));

  beforeAll(async () => {
    s3 = await new S3StandIn().start();
    Object.assign(process.env, s3.env('e2e'));
    before = generatedHere();
    t = await startApp();
  });
  afterAll(async () => {
    await workers?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
    process.env = saved;
    await s3.stop();
  });

  it('prints letters, keeps e-mails and one-off packs in the bucket, serves them, and the purge deletes them there', async () => {
    const patients = await lockedSurvey(t, Array.from({ length: 6 }, (_, i) =>
      patientRow(i + 1, i < 3 ? { email: `s3-${i + 1}@example.invalid` } : {})), { retentionDaysAfterClose: 0 });
    workers = await startWorkers(); // no SMTP server: e-mails are kept in the store's outbox
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    expect((await settled(t, 'initial')).channels).toMatchObject({ postal: { sent: 6 }, email: { sent: 3 } });

    const list = await t.http().get('/api/surveys/CPES-2026/print-files').set(t.auth).expect(200);
    expect(list.body.files).toEqual([expect.objectContaining({ step: 'initial', batch: 1, packs: 6, pdf: 'print/CPES-2026/CPES-2026-initial/batch-001.pdf' })]);
    const [file] = list.body.files;
    const pdf = await get(`/api/surveys/CPES-2026/print-files/${file.id}/pdf`).expect(200).expect('Content-Type', 'application/pdf');
    const pages = await pdfPages(pdf.body);
    expect(pages.length).toBe(file.pages);
    for (const p of patients) expect(pages.join('\n')).toContain(p.access_code);
    const manifest = await get(`/api/surveys/CPES-2026/print-files/${file.id}/manifest`).expect(200);
    expect(manifest.body.toString().trim().split('\r\n').slice(1).map((l: string) => l.split(',')[1]).sort()).toEqual(patients.map((p) => p.reference).sort());
    await get('/api/surveys/CPES-2026/print-files/00000000-0000-0000-0000-000000000000/pdf').expect(404);
    await get(`/api/surveys/CPES-2026/print-files/${file.id}/other`).expect(404);

    // A replacement pack asked for on the phone: printed by the worker into the bucket, served from it.
    const asked = await t.http().post(`/api/surveys/CPES-2026/patients/${patients[4].reference}/contacts`).set(t.auth)
      .send({ type: 'alternative_format', format: 'large_print' }).expect(201);
    const packId = asked.body.pack.id;
    for (let i = 0; (await t.dataSource.query('SELECT status FROM one_off_packs WHERE id = $1', [packId]))[0].status === 'pending'; i++) {
      if (i > 150) throw new Error('the one-off pack was never printed');
      await new Promise((r) => setTimeout(r, 200));
    }
    const pack = await get(`/api/surveys/CPES-2026/one-off-packs/${packId}/pdf`).expect(200);
    expect((await pdfPages(pack.body)).join(' ')).toContain(patients[4].reference);
    expect((await get(`/api/surveys/CPES-2026/one-off-packs/${packId}/manifest`).expect(200)).body.toString()).toContain(patients[4].reference);

    const keys = (await store().list('')).map((f) => f.key);
    expect(keys.filter((k) => k.startsWith('print/CPES-2026/'))).toEqual([
      'print/CPES-2026/CPES-2026-initial/batch-001-manifest.csv', 'print/CPES-2026/CPES-2026-initial/batch-001.pdf',
      `print/CPES-2026/one-off/one-off-${String(packId).padStart(6, '0')}-manifest.csv`, `print/CPES-2026/one-off/one-off-${String(packId).padStart(6, '0')}.pdf`,
    ]);
    expect(keys.filter((k) => k.startsWith('outbox/'))).toHaveLength(3);
    expect(keys.filter((k) => k.startsWith('staging/'))).toEqual([]); // every staged render was moved into place
    expect(localFiles()).toEqual([]);

    // The purge deletes the survey's files from the bucket (once the area lookup has derived the groups it keeps).
    await t.app.get(AreaLookupService).import(areaFile('s3-areas.csv', [areaRow('LS1 4AB', 2, '15F', 'QWO', 'E56000099')]), 'areas.csv', 'test');
    await t.app.get(RetentionService).close('CPES-2026', 'test');
    const purged = await t.app.get(RetentionService).purge('CPES-2026', new Date(Date.now() + 60_000));
    expect(purged.filesDeleted).toBeGreaterThanOrEqual(7); // 4 print files, 3 e-mails (and any scratch leftovers)
    expect(await store().list('print/CPES-2026/')).toEqual([]);
    expect(await store().list('outbox/')).toEqual([]);
    await get(`/api/surveys/CPES-2026/print-files/${file.id}/pdf`).expect(404);
  }, 120_000);

  it('renders a run of local reports on the workers into the bucket; the CLI and the HTTP route read them from there', async () => {
    await workers?.close();
    await seedResultsSurvey(t);
    workers = await startWorkers();
    const out = mkdtempSync(join(tmpdir(), 'fieldwork-s3-reports-'));
    try {
      const run = await cli(['results:reports', '--survey', 'CPES-2026', '--out', out, '--json']);
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ total: 5, done: 5 });
      expect(readdirSync(out).sort()).toEqual(['alliance-E56000099.pdf', 'icb-QWO.pdf', 'national.pdf', 'trust-RAA.pdf', 'trust-RBB.pdf']);
      expect((await pdfPages(readFileSync(join(out, 'trust-RAA.pdf'))))[0]).toContain('Synthetic RAA NHS Trust');

      const keys = (await store().list(`reports/${run.json.runId}/`)).map((f) => f.key);
      expect(keys).toHaveLength(5);
      const progress = await t.http().get(`/api/surveys/CPES-2026/results/report-runs/${run.json.runId}`).set(t.auth).expect(200);
      const national = progress.body.items.find((i: { level: string }) => i.level === 'national');
      const served = await get(`/api/surveys/CPES-2026/results/report-runs/${run.json.runId}/files/${national.id}`).expect(200).expect('Content-Type', 'application/pdf');
      expect(served.body.equals(readFileSync(join(out, 'national.pdf')))).toBe(true);
      await get(`/api/surveys/CPES-2025/results/report-runs/${run.json.runId}/files/${national.id}`).expect(404); // another survey's path
      expect(localFiles()).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
