import { SetMetadata } from '@nestjs/common';
import type { JobName, JobPayloads } from './job-catalogue';

export const JOB_HANDLER_KEY = 'fieldwork:job-handler';

/** Marks the one method that handles a job. Its argument is the job's typed payload. */
export const JobHandler = <J extends JobName>(name: J) =>
  SetMetadata(JOB_HANDLER_KEY, name) as <T extends (payload: JobPayloads[J], context: JobContext) => Promise<unknown>>(
    target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>,
  ) => void;

export interface JobContext {
  jobId: string | undefined;
  attempt: number;
  /** Attempts BullMQ will make in all; on the last one a handler records a failure for good. */
  maxAttempts: number;
}
