import { Injectable } from '@nestjs/common';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { FileStore } from './file-store';

/** Where staged files wait in the store between their upload and the move that publishes them. */
export const STAGING_PREFIX = 'staging/';

/**
 * A write into the store untouched this long was cut off by a crash: a live one adds bytes far
 * more often. Shorter than the scratch files' age, which a long import may only read.
 */
export const UNFINISHED_WRITE_MS = 60 * 60_000;

/**
 * This machine's scratch folder (STORAGE_DIR/tmp): a print file while it is rendered, an upload
 * while the same request imports it. Nothing here is read by another machine or outlives the
 * job or request that wrote it, unless a crash leaves it; the maintenance job prunes that.
 */
@Injectable()
export class ScratchSpace {
  readonly dir: string;

  constructor(config: AppConfig, private readonly store: FileStore) {
    this.dir = join(resolve(config.STORAGE_DIR), 'tmp');
  }

  /** A path in the scratch folder for this name (a plain file name), creating the folder. */
  async file(name: string): Promise<string> {
    if (basename(name) !== name || name.startsWith('.')) throw new Error(`Not a scratch file name: ${name}`);
    await mkdir(this.dir, { recursive: true });
    return join(this.dir, name);
  }

  /**
   * Deletes scratch files of this machine, and staged files in the store (any machine's),
   * last written more than `olderThanMs` ago, and the store's cut-off writes untouched for that
   * long or UNFINISHED_WRITE_MS, whichever is shorter; returns how many.
   */
  async prune(olderThanMs: number, now = Date.now()): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const entry = join(this.dir, name);
      const info = await stat(entry).catch(() => undefined);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(entry, { recursive: true, force: true });
        removed++;
      }
    }
    removed += await this.store.pruneUnfinished(Math.min(olderThanMs, UNFINISHED_WRITE_MS), now);
    return removed + await this.store.deleteOlderThan(STAGING_PREFIX, olderThanMs, now);
  }
}
