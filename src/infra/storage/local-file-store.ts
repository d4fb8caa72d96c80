import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkKey, checkPrefix, FileStore, StoredFile, StoredFileMissing } from './file-store';

/** Files being written carry this in their name until they are renamed into place. */
const PART = '.part-';

/** The store as a folder on this machine (STORAGE_DIR): the default, for one machine. */
export class LocalFileStore extends FileStore {
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  /** The file's path on this disk (keys are checked, so it stays under the root). */
  pathOf(key: string): string {
    return join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, body: Readable | Buffer | string): Promise<void> {
    await this.writeAtomically(key, (part) => pipeline(typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(part)));
  }

  async putFile(key: string, localPath: string): Promise<void> {
    await this.writeAtomically(key, (part) => pipeline(createReadStream(localPath), createWriteStream(part)));
  }

  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    const stream = createReadStream(path);
    // Opening is asynchronous: wait for it, so a missing file is an error here, not mid-response.
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT' || error.code === 'EISDIR' ? new StoredFileMissing(key) : error));
    });
    return stream;
  }

  async stat(key: string): Promise<StoredFile | null> {
    const info = await stat(this.pathOf(key)).catch(() => null);
    return info?.isFile() ? { key, size: info.size, modifiedAt: info.mtime } : null;
  }

  async list(prefix: string): Promise<StoredFile[]> {
    checkPrefix(prefix);
    const files: StoredFile[] = [];
    await this.walk(prefix ? join(this.root, ...prefix.slice(0, -1).split('/')) : this.root, async (full, name) => {
      if (name.includes(PART)) return;
      const info = await stat(full).catch(() => null);
      if (info) files.push({ key: relative(this.root, full).split(sep).join('/'), size: info.size, modifiedAt: info.mtime });
    });
    return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * The `.part-` files of writes a crash cut off (a live write renames or removes its own).
   * A write in progress touches its file as the bytes arrive, so one untouched for the age given
   * was abandoned. The scratch folder (tmp) is ScratchSpace's, pruned by it.
   */
  override async pruneUnfinished(olderThanMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    const scratch = join(this.root, 'tmp');
    await this.walk(this.root, async (full, name) => {
      if (!name.includes(PART)) return;
      const info = await stat(full).catch(() => null);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(full, { force: true });
        removed++;
      }
    }, (dir) => dir !== scratch);
    return removed;
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.pathOf(to);
    await mkdir(dirname(target), { recursive: true });
    await rename(this.pathOf(from), target).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new StoredFileMissing(from) : error;
    });
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  override async deletePrefix(prefix: string): Promise<number> {
    const count = await super.deletePrefix(prefix);
    if (prefix) await rm(join(this.root, ...prefix.slice(0, -1).split('/')), { recursive: true, force: true });
    return count;
  }

  /** Every file under the folder (and its folders that `into` accepts). */
  private async walk(dir: string, visit: (full: string, name: string) => Promise<void>, into: (dir: string) => boolean = () => true): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (into(full)) await this.walk(full, visit, into);
      } else if (entry.isFile()) await visit(full, entry.name);
    }
  }

  /** Written beside its final name, then renamed: a reader never sees half a file. */
  private async writeAtomically(key: string, write: (part: string) => Promise<void>): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const part = `${path}${PART}${randomUUID()}`;
    try {
      await write(part);
      await rename(part, path);
    } finally {
      await rm(part, { force: true });
    }
  }
}
