import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout's root (where package.json is), whether running from src/ under jest or from dist/src/. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No project root (package.json beside templates/) above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
export const TEMPLATES_DIR = join(PROJECT_ROOT, 'templates');
