import { Injectable, Logger } from '@nestjs/common';
import { JobHandler } from '../infra/queues/job-handler.decorator';
import { ScratchSpace } from '../infra/storage/scratch-space';
import type { JobPayloads } from '../infra/queues/job-catalogue';

@Injectable()
export class MaintenanceProcessor {
  private readonly logger = new Logger('Maintenance');

  constructor(private readonly scratch: ScratchSpace) {}

  @JobHandler('maintenance.prune-temp-files')
  async pruneTempFiles(payload: JobPayloads['maintenance.prune-temp-files']): Promise<{ removed: number }> {
    const removed = await this.scratch.prune(payload.olderThanMinutes * 60_000);
    if (removed) this.logger.log(`Removed ${removed} abandoned temporary file(s)`);
    return { removed };
  }
}
