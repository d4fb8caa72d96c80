import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { GeneratedSample, GeneratorOptions } from './sample-file-generator';

/**
 * Writes the synthetic file in a process of its own, so the benchmark's peak RSS is the
 * importer's alone and not the generator's leftovers too.
 */
export function generateSampleFileInChild(path: string, options: GeneratorOptions): Promise<GeneratedSample> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'generate-in-child.js'), ['--child'], { stdio: 'inherit' });
    child.once('message', (m: { result?: GeneratedSample; error?: string }) => (m.result ? resolve(m.result) : reject(new Error(m.error))));
    child.once('exit', (code) => code && reject(new Error(`the sample file generator exited with ${code}`)));
    child.send({ path, options });
  });
}

if (process.argv.includes('--child')) {
  process.once('message', ({ path, options }: { path: string; options: GeneratorOptions }) => {
    // Loaded here only: the parent never needs the generator itself.
    import('./sample-file-generator')
      .then(({ generateSampleFile }) => generateSampleFile(path, options))
      .then((result) => process.send!({ result }, () => process.exit(0)))
      .catch((error: Error) => process.send!({ error: error.message }, () => process.exit(1)));
  });
}
