import { JobQueue } from '../src/infra/queues/job-queue';
import { FileStore } from '../src/infra/storage/file-store';
import { stored, storedText } from './support/stored';
import { PrintBatchesService } from '../src/mailings/print-batches.service';
import { WavesService } from '../src/mailings/waves.service';
import { addressLines, salutation } from '../src/questionnaires/pack-renderer';
import type { TestingModule } from '@nestjs/testing';
import { OneOffPacksService } from '../src/mailings/one-off-packs.service';
import { startApp, TestApp } from './support/app';
import { startWorkers } from './support/mailing-survey';
import { SmtpSink } from './support/smtp-sink';
import { pdfPages } from './support/pdf';
import { U16, U16_CHILDREN, U16Patient, u16Survey } from './support/u16-survey';

const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

const CHILD_PART = 'For the child or young person to answer';
const PARENT_PART = 'For the parent or carer to answer';
const flat = (pages: string[]) => pages.join('\n').replace(/[ \t]+/g, ' ');
/** Lines joined with spaces: the type size decides where a heading or question wraps. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

/** No letter text speaks to the child: no "Dear <child>", no line that is the child's name alone. */
function expectNotAddressedToChild(text: string, child: U16Patient) {
  const name = `${child.first_name} ${child.surname}`;
  expect(text).toContain(`To the parent or carer of ${name}`);
  expect(text).toContain('Dear parent or carer,');
  expect(text).not.toMatch(new RegExp(`Dear (\\w+ )?(${child.first_name}|${child.surname})`));
  const lines = text.split('\n').map((l) => l.trim());
  expect(lines).not.toContain(name);
  expect(lines.filter((l) => l.includes(child.surname)).every((l) => l === `To the parent or carer of ${name}`)).toBe(true);
}

describe('Under-16 packs: the questionnaire of the child\'s age band, addressed to the parent or carer', () => {
  let t: TestApp;
  let children: U16Patient[];
  let smtp: SmtpSink;
  let workers: TestingModule | undefined;

  beforeAll(async () => {
    t = await startApp();
    smtp = await new SmtpSink().start();
    // The 8-11 child's family gave an e-mail address: the initial e-mail goes to the parent or carer too.
    children = await u16Survey(t, U16_CHILDREN.map((r, i) => (i === 1 ? { ...r, email: 'family2@example.invalid' } : r)));
  });
  afterAll(async () => {
    await workers?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await smtp.stop();
    await t.app.close();
  });

  const pack = async (ref: string, step = 'initial') =>
    pdfPages((await t.http().get(`/api/patients/${ref}/pack/${step}`).set(t.auth).buffer(true).parse(binary).expect(200)).body);

  it('gives each child the questionnaire of their band', () => {
    expect(children.map((c) => c.questionnaire)).toEqual(['u16-0-7', 'u16-8-11', 'u16-12-15']);
  });

  it('0-7: the parent or carer questionnaire only', async () => {
    const lines = flat(await pack(children[0].reference));
    const text = oneLine(lines);
    expect(text).toContain('children aged 0 to 7');
    expect(text).toContain(PARENT_PART);
    expect(text).toContain('Did you have confidence and trust in the staff treating your child?');
    expect(text).not.toContain(CHILD_PART);
    expect(text).not.toMatch(/Were the doctors and nurses nice to you\?|Were the staff friendly and kind to you\?/);
    expectNotAddressedToChild(lines, children[0]);
  });

  it('8-11 and 12-15: a part for the child in words for their age, then a part for the parent or carer, in one pack', async () => {
    const middleLines = flat(await pack(children[1].reference));
    const middle = oneLine(middleLines);
    expect(middle).toContain('children aged 8 to 11');
    expect(middle).toContain(`Part 1 of 2: ${CHILD_PART}`);
    expect(middle).toContain(`Part 2 of 2: ${PARENT_PART}`);
    expect(middle.indexOf(CHILD_PART)).toBeLessThan(middle.indexOf(PARENT_PART));
    expect(middle).toContain('Were the doctors and nurses nice to you?');
    expect(middle).toContain('Did you have confidence and trust in the staff treating your child?');
    expectNotAddressedToChild(middleLines, children[1]);

    const olderLines = flat(await pack(children[2].reference));
    const older = oneLine(olderLines);
    expect(older).toContain('young people aged 12 to 15');
    expect(older).toContain(`Part 1 of 2: ${CHILD_PART}`);
    expect(older).toContain('Were the staff friendly and kind to you?');
    expect(older).not.toContain('Were the doctors and nurses nice to you?');
    expect(older).toContain(`Part 2 of 2: ${PARENT_PART}`);
    // A long hyphenated name is set smaller in the window rather than wrapped onto a line of its own.
    expectNotAddressedToChild(olderLines, children[2]);
  });

  it('reminders, too, are to the parent or carer', async () => {
    const text = flat(await pack(children[1].reference, 'reminder_1'));
    expectNotAddressedToChild(text, children[1]);
    expect(text).not.toContain(CHILD_PART);
  });

  it('prints each pack in a print file with its own questionnaire, and no name in the manifest; the e-mail greets the parent or carer', async () => {
    workers = await startWorkers(smtp.env());
    await t.app.get(WavesService).launch(U16, 'initial', 'test', { now: true });
    // The launch may choose questionnaires itself; these children's bands are the same either way.
    const run = await t.app.get(PrintBatchesService).print(U16, 'initial');
    expect(run.packs).toBe(3);
    const store = t.app.get(FileStore);
    const byRef = new Map(children.map((c) => [c.reference, c]));
    for (const b of run.batches) {
      const pages = await pdfPages(await stored(t.app, b.pdf));
      const manifest = await storedText(t.app, b.manifest);
      for (const c of children) expect(manifest).not.toContain(c.surname);
      let offset = 0;
      for (const [, reference, , , count] of manifest.trim().split('\r\n').slice(1).map((l) => l.split(','))) {
        const child = byRef.get(reference)!;
        const text = flat(pages.slice(offset, offset + Number(count)));
        expectNotAddressedToChild(text, child);
        expect(oneLine(text).includes(CHILD_PART)).toBe(child.questionnaire !== 'u16-0-7');
        expect(oneLine(text)).toContain(PARENT_PART);
        offset += Number(count);
      }
    }
    // Written into this worker's file store: removed, as the purge spec checks later.
    for (const b of run.batches) {
      await store.delete(b.pdf);
      await store.delete(b.manifest);
    }

    for (let i = 0; i < 150 && !smtp.received.length; i++) await new Promise((r) => setTimeout(r, 200));
    const [mail] = smtp.received;
    expect(mail.to).toBe('family2@example.invalid');
    const text = String(mail.parsed.text);
    expect(text).toContain('Dear parent or carer,');
    expect(text).not.toContain(children[1].first_name);
    expect(text).not.toContain(children[1].surname);
    expect(JSON.stringify(mail.parsed.to)).not.toContain(children[1].surname);
  });

  it('a one-off large-print pack asked for on the phone has the child\'s questionnaire, both parts, to the parent or carer', async () => {
    const asked = await t.http().post(`/api/surveys/${U16}/patients/${children[2].reference}/contacts`).set(t.auth)
      .send({ type: 'alternative_format', format: 'large_print' }).expect(201);
    const id = asked.body.pack.id;
    await t.app.get(OneOffPacksService).print(id);
    const [pack] = await t.dataSource.query('SELECT status, pdf_path FROM one_off_packs WHERE id = $1', [id]);
    expect(pack.status).toBe('printed');
    const lines = flat(await pdfPages(await stored(t.app, pack.pdf_path)));
    await t.app.get(FileStore).delete(pack.pdf_path);
    await t.app.get(FileStore).delete(pack.pdf_path.replace(/\.pdf$/, '-manifest.csv'));
    expectNotAddressedToChild(lines, children[2]);
    expect(oneLine(lines)).toContain(CHILD_PART);
    expect(oneLine(lines)).toContain(PARENT_PART);
    expect(oneLine(lines)).toContain('young people aged 12 to 15');
  });

  it('e-mails open "Dear parent or carer"; the adult survey still greets the patient', () => {
    const child = { title: 'Miss', firstName: 'Poppy', surname: 'Tinyfixture', address: ['1 Nursery Lane'], postcode: 'LS2 9JT' };
    expect(salutation(child, 'parent_or_carer')).toBe('parent or carer');
    expect(addressLines(child, 'parent_or_carer')[0]).toBe('To the parent or carer of Poppy Tinyfixture');
    expect(salutation(child)).toBe('Miss Tinyfixture');
    expect(addressLines(child)[0]).toBe('Miss Poppy Tinyfixture');
  });
});
