import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../src/infra/config/app-config';
import { FileStore, StoredFileMissing } from '../src/infra/storage/file-store';
import { LocalFileStore } from '../src/infra/storage/local-file-store';
import { parseStorageUrl, S3FileStore } from '../src/infra/storage/s3-file-store';
import { fileStoreFor } from '../src/infra/storage/storage.module';
import { S3StandIn } from './support/s3-stand-in';

const text = async (s: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
};

/** The same cases for every implementation: what the services rely on, whichever store is configured. */
function storageSuite(name: string, open: () => Promise<{ store: FileStore; close: () => Promise<void> }>) {
  describe(`${name} file store`, () => {
    let store: FileStore;
    let close: () => Promise<void>;
    const scratch = mkdtempSync(join(tmpdir(), 'fieldwork-store-spec-'));
    beforeAll(async () => ({ store, close } = await open()));
    afterAll(async () => {
      await close();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('writes from a buffer, a string and a stream, and reads back what it wrote', async () => {
      await store.put('print/S1/run/a.csv', Buffer.from('a,b\r\n'));
      await store.put('outbox/m.eml', 'Subject: hi\n');
      await store.put('reports/r1/national.pdf', Readable.from([Buffer.from('%PDF-'), Buffer.from('1.7')]));
      expect((await text(await store.read('print/S1/run/a.csv'))).toString()).toBe('a,b\r\n');
      expect(await store.readText('outbox/m.eml')).toBe('Subject: hi\n');
      expect(await store.readText('reports/r1/national.pdf')).toBe('%PDF-1.7');
      await store.put('outbox/m.eml', 'replaced');
      expect(await store.readText('outbox/m.eml')).toBe('replaced');
    });

    it('streams a file larger than one upload part from disk and back, byte for byte', async () => {
      // 20 MiB: three parts of a multipart upload; varied bytes so a misplaced part would show.
      const big = Buffer.alloc(20 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
      const path = join(scratch, 'big.pdf');
      writeFileSync(path, big);
      await store.putFile('print/S1/run/big.pdf', path);
      expect(await store.stat('print/S1/run/big.pdf')).toMatchObject({ key: 'print/S1/run/big.pdf', size: big.length });
      expect((await text(await store.read('print/S1/run/big.pdf'))).equals(big)).toBe(true);
    }, 60_000);

    it('says whether a file is there, and how big, with no error for a missing one', async () => {
      const info = await store.stat('print/S1/run/a.csv');
      expect(info).toMatchObject({ key: 'print/S1/run/a.csv', size: 5 });
      expect(Math.abs(info!.modifiedAt.getTime() - Date.now())).toBeLessThan(10 * 60_000);
      expect(await store.exists('print/S1/run/a.csv')).toBe(true);
      expect(await store.stat('print/S1/run/none.csv')).toBeNull();
      expect(await store.exists('print/S1')).toBe(false); // a folder is not a file
      await expect(store.read('print/S1/run/none.csv')).rejects.toBeInstanceOf(StoredFileMissing);
    });

    it('lists by folder prefix, in key order, and nothing outside it', async () => {
      await store.put('print/S1/run/b.csv', 'b');
      await store.put('print/S10/run/c.csv', 'c'); // S10 shares S1's first characters, not its folder
      expect((await store.list('print/S1/')).map((f) => f.key)).toEqual(['print/S1/run/a.csv', 'print/S1/run/b.csv', 'print/S1/run/big.pdf']);
      expect((await store.list('print/')).map((f) => f.key)).toContain('print/S10/run/c.csv');
      expect(await store.list('nothing-here/')).toEqual([]);
      await expect(store.list('print/S1')).rejects.toThrow(/prefix/);
    });

    it('moves a staged file into place, replacing what was there', async () => {
      await store.put('staging/x-1.pdf', 'new');
      await store.put('print/S1/run/x.pdf', 'old');
      await store.move('staging/x-1.pdf', 'print/S1/run/x.pdf');
      expect(await store.readText('print/S1/run/x.pdf')).toBe('new');
      expect(await store.exists('staging/x-1.pdf')).toBe(false);
      await expect(store.move('staging/gone.pdf', 'print/S1/run/y.pdf')).rejects.toBeInstanceOf(StoredFileMissing);
    });

    it('deletes one file, a folder prefix, and what is older than an age', async () => {
      await store.delete('outbox/m.eml');
      await store.delete('outbox/never-there.eml');
      expect(await store.exists('outbox/m.eml')).toBe(false);
      expect(await store.deletePrefix('print/S1/')).toBe(4);
      expect(await store.list('print/S1/')).toEqual([]);
      expect((await store.list('print/')).map((f) => f.key)).toEqual(['print/S10/run/c.csv']);
      await store.put('staging/left-1.pdf', 'x');
      expect(await store.deleteOlderThan('staging/', 60_000)).toBe(0); // just written
      expect(await store.deleteOlderThan('staging/', 60_000, Date.now() + 120_000)).toBe(1);
      expect(await store.list('staging/')).toEqual([]);
    });

    it('refuses keys that would leave its root', async () => {
      for (const key of ['../etc/passwd', '/abs', 'a//b', 'a/./b', 'a\\b', '']) {
        await expect(store.read(key)).rejects.toThrow(/Not a storage key/);
        await expect(store.put(key, 'x')).rejects.toThrow(/Not a storage key/);
      }
    });
  });
}

storageSuite('local', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fieldwork-local-store-'));
  return { store: new LocalFileStore(root), close: async () => rmSync(root, { recursive: true, force: true }) };
});

storageSuite('S3 (s3rver)', async () => {
  const s3 = await new S3StandIn().start();
  const store = fileStoreFor(loadConfig({ ...s3.env('spec/prefix') }));
  expect(store).toBeInstanceOf(S3FileStore);
  return { store, close: async () => { store.close(); await s3.stop(); } };
});

describe('local file store after a crash', () => {
  let root: string;
  let store: LocalFileStore;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fieldwork-local-crash-'));
    store = new LocalFileStore(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const partFile = (folder: string, name: string, ageMs: number) => {
    mkdirSync(join(root, folder), { recursive: true });
    const path = join(root, folder, name);
    writeFileSync(path, 'half a file');
    const at = new Date(Date.now() - ageMs);
    utimesSync(path, at, at);
    return path;
  };

  it('prunes the .part- files of writes a crash cut off once untouched for the age, and nothing else', async () => {
    const HOUR = 3600_000;
    await store.put('print/S1/run/batch-001.pdf', '%PDF-1.7');
    const stale = [
      partFile('print/S1/run', `batch-002.pdf.part-${randomUUID()}`, 2 * HOUR),
      partFile('outbox', `mailing-1@x.eml.part-${randomUUID()}`, 2 * HOUR),
    ];
    const live = partFile('print/S1/run', `batch-003.pdf.part-${randomUUID()}`, 60_000); // still being written
    const scratch = partFile('tmp', `upload.part-${randomUUID()}`, 2 * HOUR); // ScratchSpace's folder, pruned by its own age

    expect((await store.list('')).map((f) => f.key)).toEqual(['print/S1/run/batch-001.pdf']); // never listed as files
    expect(await store.pruneUnfinished(HOUR)).toBe(2);
    for (const path of stale) expect(existsSync(path)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(scratch)).toBe(true);
    expect(await store.readText('print/S1/run/batch-001.pdf')).toBe('%PDF-1.7');
    expect(await store.pruneUnfinished(HOUR, Date.now() + HOUR)).toBe(1); // the live one, had it stopped
    expect(existsSync(live)).toBe(false);
  });
});

describe('storage configuration', () => {
  it('is the STORAGE_DIR folder unless STORAGE_URL names a bucket', () => {
    expect(fileStoreFor(loadConfig({ STORAGE_DIR: '/tmp/x' }))).toBeInstanceOf(LocalFileStore);
    expect(parseStorageUrl('s3://fieldwork')).toEqual({ bucket: 'fieldwork', prefix: '' });
    expect(parseStorageUrl('s3://fieldwork/prod/files/')).toEqual({ bucket: 'fieldwork', prefix: 'prod/files/' });
  });

  it('refuses a malformed STORAGE_URL or half a key pair, naming the setting', () => {
    expect(() => loadConfig({ STORAGE_URL: 'https://bucket' })).toThrow(/STORAGE_URL must be s3:\/\/bucket/);
    expect(() => loadConfig({ STORAGE_URL: 's3://Bad_Bucket' })).toThrow(/STORAGE_URL/);
    expect(() => loadConfig({ STORAGE_URL: 's3://b1/x', S3_ACCESS_KEY_ID: 'k' })).toThrow(/S3_SECRET_ACCESS_KEY is required/);
    expect(() => loadConfig({ S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT must be/);
  });
});
