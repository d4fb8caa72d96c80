import { Global, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FileStore } from './file-store';
import { LocalFileStore } from './local-file-store';
import type * as S3 from './s3-file-store';
import { ScratchSpace } from './scratch-space';

/** The object store when STORAGE_URL names one, else the STORAGE_DIR folder. */
export function fileStoreFor(config: AppConfig): FileStore {
  if (!config.STORAGE_URL) return new LocalFileStore(config.STORAGE_DIR);
  // Loaded only when configured: the AWS SDK is a large load for every command and process that never uses it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3FileStore, parseStorageUrl } = require('./s3-file-store') as typeof S3;
  return new S3FileStore(parseStorageUrl(config.STORAGE_URL), {
    endpoint: config.S3_ENDPOINT, region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  });
}

@Global()
@Module({
  providers: [{ provide: FileStore, inject: [AppConfig], useFactory: fileStoreFor }, ScratchSpace],
  exports: [FileStore, ScratchSpace],
})
export class StorageModule implements OnModuleDestroy {
  constructor(@Inject(FileStore) private readonly store: FileStore) {}

  onModuleDestroy(): void {
    this.store.close();
  }
}
