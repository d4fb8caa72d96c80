import type { INestApplicationContext } from '@nestjs/common';
import { FileStore } from '../../src/infra/storage/file-store';
import { LocalFileStore } from '../../src/infra/storage/local-file-store';

/** A file from the app's file store (the local folder or the object store), whole: for small files in tests. */
export async function stored(app: INestApplicationContext, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await app.get(FileStore).read(key)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export const storedText = async (app: INestApplicationContext, key: string) => (await stored(app, key)).toString('utf8');

/** The store's folder, for specs that look at what is left on this disk (the local store only). */
export function localRoot(app: INestApplicationContext): string {
  const store = app.get(FileStore);
  if (!(store instanceof LocalFileStore)) throw new Error('This spec expects the local file store (STORAGE_URL unset)');
  return store.root;
}
