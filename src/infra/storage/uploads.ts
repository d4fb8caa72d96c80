import { MulterModule } from '@nestjs/platform-express';
import { join } from 'node:path';
import { StorageService } from './storage.service';

/**
 * Uploaded files land on disk under the storage folder's tmp/ (importers stream them; the
 * maintenance job prunes what a crash leaves behind), one file per request, up to a size.
 */
export const uploadsToTemp = (maxMegabytes: number) => MulterModule.registerAsync({
  inject: [StorageService],
  useFactory: (storage: StorageService) => ({ dest: join(storage.root, 'tmp'), limits: { fileSize: maxMegabytes * 1024 * 1024, files: 1 } }),
});
