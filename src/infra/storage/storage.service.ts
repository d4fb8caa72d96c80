import { Injectable } from '@nestjs/common';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';

/** The directory for generated files (print batches, manifests, uploads in progress). */
@Injectable()
export class StorageService {
  readonly root: string;

  constructor(config: AppConfig) {
    this.root = resolve(config.STORAGE_DIR);
  }

  /** Absolute path under the storage root, creating its parent folders. */
  async path(...parts: string[]): Promise<string> {
    const full = join(this.root, ...parts);
    if (!full.startsWith(this.root)) throw new Error('Storage path escapes the storage directory');
    await mkdir(join(full, '..'), { recursive: true });
    return full;
  }

  /** Deletes entries of tmp/ last modified more than `olderThanMs` ago; returns how many. */
  async pruneTemp(olderThanMs: number, now = Date.now()): Promise<number> {
    const dir = join(this.root, 'tmp');
    const names = await readdir(dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const entry = join(dir, name);
      const info = await stat(entry).catch(() => undefined);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(entry, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}
