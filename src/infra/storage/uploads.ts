import { MulterModule } from '@nestjs/platform-express';
import { ScratchSpace } from './scratch-space';

/**
 * Uploaded files land in this machine's scratch folder (STORAGE_DIR/tmp), not the shared store:
 * the request that receives a file imports it, streaming, on the same machine, and removes it
 * (the maintenance job prunes what a crash leaves behind). One file per request, up to a size.
 */
export const uploadsToTemp = (maxMegabytes: number) => MulterModule.registerAsync({
  inject: [ScratchSpace],
  useFactory: (scratch: ScratchSpace) => ({ dest: scratch.dir, limits: { fileSize: maxMegabytes * 1024 * 1024, files: 1 } }),
});
