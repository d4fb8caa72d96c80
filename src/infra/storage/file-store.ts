import type { Readable } from 'node:stream';

export interface StoredFile {
  /** Slash-separated, relative to the store's root: print/CPES-2026/CPES-2026-initial/batch-001.pdf */
  key: string;
  size: number;
  modifiedAt: Date;
}

export class StoredFileMissing extends Error {
  constructor(readonly key: string) {
    super(`No stored file ${key}`);
    this.name = 'StoredFileMissing';
  }
}

/** Refuses keys that could leave the store's root or name a folder rather than a file. */
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (!key || key.includes('\\') || key.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`Not a storage key: ${JSON.stringify(key)}`);
  }
  return key;
}

/** A prefix is empty (everything) or a key's leading folders, ending in a slash. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (!prefix.endsWith('/')) throw new Error(`Not a storage prefix (it ends with a slash): ${JSON.stringify(prefix)}`);
  checkKey(prefix.slice(0, -1));
  return prefix;
}

/**
 * Where every generated file lives (print files and manifests, one-off packs, the outbox,
 * report runs): a folder on this machine, or an object store that every machine shares.
 * Writes are all or nothing: a reader sees the whole file or none of it. Bodies are streamed
 * both ways, so a print file is never held in memory whole.
 */
export abstract class FileStore {
  /** Where the files are, for messages: a folder or s3://bucket/prefix. */
  abstract readonly location: string;

  /** Writes the whole body under the key, replacing what was there. */
  abstract put(key: string, body: Readable | Buffer | string): Promise<void>;

  /** Streams a file on this machine's disk into the store. */
  abstract putFile(key: string, localPath: string): Promise<void>;

  /** The file's contents as a stream; StoredFileMissing when there is none. */
  abstract read(key: string): Promise<Readable>;

  /** Size and time of the file, or null when there is none. */
  abstract stat(key: string): Promise<StoredFile | null>;

  /** Every file whose key starts with the prefix (a folder: "print/CPES-2026/"), in key order. */
  abstract list(prefix: string): Promise<StoredFile[]>;

  /** Moves a file to a new key (replacing what was there): the one step that publishes a staged file. */
  abstract move(from: string, to: string): Promise<void>;

  /** Deletes the file if it is there. */
  abstract delete(key: string): Promise<void>;

  /** Deletes every file under the prefix; returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    const files = await this.list(checkPrefix(prefix));
    await this.deleteMany(files.map((f) => f.key));
    return files.length;
  }

  /** Deletes the files under the prefix last written more than `olderThanMs` ago; returns how many. */
  async deleteOlderThan(prefix: string, olderThanMs: number, now = Date.now()): Promise<number> {
    const old = (await this.list(checkPrefix(prefix))).filter((f) => now - f.modifiedAt.getTime() > olderThanMs);
    await this.deleteMany(old.map((f) => f.key));
    return old.length;
  }

  /**
   * Removes what writes cut off by a crash left behind, untouched for more than `olderThanMs`;
   * returns how many. A folder keeps such a write beside its final name (see LocalFileStore);
   * an object store never shows an unfinished upload as a file, so there is nothing to list
   * (its incomplete multipart uploads are for the bucket's lifecycle rule, see the README).
   */
  async pruneUnfinished(_olderThanMs: number, _now = Date.now()): Promise<number> {
    return 0;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  /** The whole file as text: for small files only (manifests, e-mails), never a print file. */
  async readText(key: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.read(key)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Releases connections (the object store's HTTP agent); a folder holds none. */
  close(): void {}

  protected async deleteMany(keys: string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }
}
