import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliCommand, OptionSpec } from './cli-command';
import { COMMAND_GROUPS } from './command-groups';

/** What `help` and the option parser need to know of a command, without loading it. */
export interface CommandEntry {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  needsApp: boolean;
  group: number;
  exportName: string;
}

// The build's stamp (dist/.built, written by scripts/setup.mjs) keys the cached catalogue:
// a new build has new commands. Run from the TypeScript sources there is no stamp and no cache.
const stampPath = join(__dirname, '..', '..', '.built');
const cachePath = join(__dirname, '..', '..', '.cli-commands.json');

function readStamp(): string | undefined {
  try { return readFileSync(stampPath, 'utf8'); } catch { return undefined; }
}

/** Every command in `help` order; from the cache when the build has not changed since it was written. */
export async function commandCatalogue(): Promise<CommandEntry[]> {
  const stamp = readStamp();
  if (stamp !== undefined) {
    try {
      const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { stamp: string; commands: CommandEntry[] };
      if (cached.stamp === stamp) return cached.commands;
    } catch { /* no cache yet, or a torn one: build it again */ }
  }
  const commands = await loadCatalogue();
  if (stamp !== undefined) {
    // Write then rename: commands started side by side must never read half a file.
    const partial = `${cachePath}.${process.pid}`;
    try {
      writeFileSync(partial, JSON.stringify({ stamp, commands }));
      renameSync(partial, cachePath);
    } catch { /* a read-only build still works, only slower */ }
  }
  return commands;
}

/** Loads every group (slow: the whole service's code) to list what each exports. */
async function loadCatalogue(): Promise<CommandEntry[]> {
  const { COMMANDS } = await import('./commands');
  const groups = await Promise.all(COMMAND_GROUPS.map((g) => g.load()));
  return COMMANDS.map((cmd) => {
    for (const [group, exported] of groups.entries()) {
      const exportName = Object.entries(exported).find(([, value]) => value === cmd)?.[0];
      if (exportName) return { name: cmd.name, summary: cmd.summary, options: cmd.options, needsApp: cmd.needsApp !== false, group, exportName };
    }
    throw new Error(`The CLI command ${cmd.name} is in no group of src/cli/command-groups.ts`);
  });
}

/** The command itself, loading only its own group. */
export async function loadCommand(entry: CommandEntry): Promise<CliCommand> {
  const exported = (await COMMAND_GROUPS[entry.group].load()) as Record<string, CliCommand>;
  return exported[entry.exportName];
}
