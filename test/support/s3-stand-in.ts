import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

/**
 * A local S3 stand-in (s3rver) on a free port with one empty bucket, its objects in a
 * throwaway folder: what STORAGE_URL=s3://… points the service and workers at in tests.
 */
export class S3StandIn {
  readonly bucket = 'fieldwork-test';
  private readonly directory = mkdtempSync(join(tmpdir(), 'fieldwork-s3-'));
  private server: { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer: Server } | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = new S3rver({
      address: '127.0.0.1', port: 0, silent: true, directory: this.directory, configureBuckets: [{ name: this.bucket, configs: [] }],
    });
    this.port = (await this.server!.run()).port;
    return this;
  }

  /** The settings a process needs to use the stand-in as its file store, under this prefix. */
  env(prefix = 'fieldwork'): Record<string, string> {
    return {
      STORAGE_URL: `s3://${this.bucket}/${prefix}`,
      S3_ENDPOINT: `http://127.0.0.1:${this.port}`,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
  }

  async stop(): Promise<void> {
    this.server?.httpServer.closeAllConnections();
    await this.server?.close();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
