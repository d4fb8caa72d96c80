import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { QueueEvents } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { AppConfig } from '../src/infra/config/app-config';
import { JobHandler } from '../src/infra/queues/job-handler.decorator';
import { JobQueue } from '../src/infra/queues/job-queue';
import { redisOptions } from '../src/infra/queues/redis-connection';
import { ScratchSpace } from '../src/infra/storage/scratch-space';
import { WorkerModule } from '../src/worker.module';

@Injectable()
class SecondPruner {
  @JobHandler('maintenance.prune-temp-files')
  async prune() {
    return { removed: 0 };
  }
}

describe('workers on real Redis', () => {
  it('process a job from the catalogue end to end', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
    const app = moduleRef;
    await app.init();
    const config = app.get(AppConfig);
    const events = new QueueEvents('maintenance', { connection: redisOptions(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    try {
      const scratch = app.get(ScratchSpace);
      const old = await scratch.file('abandoned-upload.csv');
      const fresh = await scratch.file('upload-in-progress.csv');
      await writeFile(old, 'x');
      await writeFile(fresh, 'y');
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      await utimes(old, twoHoursAgo, twoHoursAgo);
      // A print file whose write a crash cut off, beside its final name in the store: pruned after
      // an hour even when the scratch age asked for is longer.
      const cutOff = join(config.STORAGE_DIR, 'print', 'PRUNE-SPEC', `batch-001.pdf.part-${randomUUID()}`);
      await mkdir(dirname(cutOff), { recursive: true });
      await writeFile(cutOff, '%PDF-');
      await utimes(cutOff, twoHoursAgo, twoHoursAgo);
      await events.waitUntilReady();

      const jobs = app.get(JobQueue);
      await jobs.add('maintenance.prune-temp-files', { payload: { olderThanMinutes: 24 * 60 }, jobId: 'prune-test-1' });
      const job = await jobs.queue('maintenance').getJob('prune-test-1');
      expect(await job!.waitUntilFinished(events, 10_000)).toEqual({ removed: 1 });
      expect(existsSync(cutOff)).toBe(false);
      expect(existsSync(old)).toBe(true); // the scratch file is younger than a day

      await jobs.add('maintenance.prune-temp-files', { payload: { olderThanMinutes: 60 }, jobId: 'prune-test-2' });
      const second = await jobs.queue('maintenance').getJob('prune-test-2');
      expect(await second!.waitUntilFinished(events, 10_000)).toEqual({ removed: 1 });
      const finishedOn = (await jobs.queue('maintenance').getJob('prune-test-2'))!.finishedOn;
      expect(existsSync(old)).toBe(false);
      expect(existsSync(fresh)).toBe(true);

      // The same deterministic id again is the same job: nothing new is queued.
      await jobs.add('maintenance.prune-temp-files', { payload: { olderThanMinutes: 60 }, jobId: 'prune-test-2' });
      expect(await jobs.queue('maintenance').getJobCounts('waiting', 'active')).toEqual({ waiting: 0, active: 0 });
      expect((await jobs.queue('maintenance').getJob('prune-test-2'))!.finishedOn).toBe(finishedOn);
    } finally {
      await rm(join(config.STORAGE_DIR, 'print', 'PRUNE-SPEC'), { recursive: true, force: true });
      await rm(join(app.get(ScratchSpace).dir, 'upload-in-progress.csv'), { force: true });
      await events.close();
      await app.close();
    }
  });

  it('refuse to start when a job has two handlers', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule], providers: [SecondPruner] }).compile();
    await expect(moduleRef.init()).rejects.toThrow(
      /job maintenance.prune-temp-files has 2 handlers: (MaintenanceProcessor.pruneTempFiles, SecondPruner.prune|SecondPruner.prune, MaintenanceProcessor.pruneTempFiles)/,
    );
    await moduleRef.close();
  });
});
