import type { INestApplicationContext } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { DomainError, errorBody } from '../infra/errors/domain-error';
import type { CliCommand } from './cli-command';
import { commandCatalogue, loadCommand, type CommandEntry } from './command-catalogue';
import { COMMAND_GROUPS } from './command-groups';

// Nothing here loads Nest, TypeORM or a command's code: `help` and usage mistakes answer from
// the catalogue alone, and a command loads only its own group (see command-groups.ts).

export interface CliIo { out: (text: string) => void; err: (text: string) => void }

/** 78 also when the database is behind this build's migrations (run db:migrate). */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, config: 78 } as const;

class UsageError extends Error {}

function usage(commands: CommandEntry[], cmd?: CommandEntry): string {
  if (!cmd) {
    const width = Math.max(...commands.map((c) => c.name.length));
    return ['Usage: npm run cli -- <command> [options] [--json]', '', 'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '', 'Run a command with --help for its options.'].join('\n');
  }
  const lines = Object.entries(cmd.options).map(([name, o]) =>
    `  --${name}${o.type === 'string' ? ' <value>' : ''}${o.required ? '' : ' (optional)'}  ${o.description}`);
  return [`Usage: npm run cli -- ${cmd.name} [options] [--json]`, '', cmd.summary, '',
    ...lines, '  --json  print the result as JSON'].join('\n');
}

function parseOptions(commands: CommandEntry[], cmd: CommandEntry, args: string[]): { options: Record<string, unknown>; json: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.entries(cmd.options).map(([k, o]) => [k, { type: o.type, multiple: o.multiple === true }])),
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(`${parseProblem(error)}\n\n${usage(commands, cmd)}`);
  }
  const { json, help, ...options } = parsed.values as Record<string, unknown>;
  const missing = Object.entries(cmd.options).filter(([k, o]) => o.required && options[k] === undefined).map(([k]) => `--${k}`);
  if (missing.length && !help) throw new UsageError(`${cmd.name} needs ${missing.join(', ')}\n\n${usage(commands, cmd)}`);
  return { options, json: json === true, help: help === true };
}

/** node:util's parseArgs quotes the option or value it could not take; say what kind of mistake instead. */
function parseProblem(error: unknown): string {
  switch ((error as { code?: string }).code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return 'Unknown option: the options are listed below.';
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': return 'An option is missing its value, or takes none: see below.';
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return 'Unexpected argument: every value follows its --option.';
    default: return 'The options cannot be read: see below.';
  }
}

/** Runs one CLI invocation; returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  const json = args.includes('--json');
  const fail = (code: number, errorCode: string, message: string, details?: DomainError['details']) => {
    if (json) io.out(JSON.stringify(errorBody(errorCode, message, details), null, 2));
    io.err(details?.length ? `${message}\n${details.map((d) => `  - ${d.where ? `${d.where}: ` : ''}${d.message}`).join('\n')}` : message);
    return code;
  };

  const commands = await commandCatalogue();
  if (!name || name === 'help' || name === '--help') {
    io.out(usage(commands));
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) return fail(EXIT.usage, 'usage_error', `Unknown command: check its spelling against the list below.\n\n${usage(commands)}`);

  let app: INestApplicationContext | undefined;
  let appConfig: typeof import('../infra/config/app-config') | undefined;
  let cliApp: typeof import('./cli-app') | undefined;
  try {
    const { options, help } = parseOptions(commands, entry, args);
    if (help) {
      io.out(usage(commands, entry));
      return EXIT.ok;
    }
    appConfig = await import('../infra/config/app-config');
    const config = appConfig.loadConfig();
    const cmd: CliCommand = await loadCommand(entry);
    if (entry.needsApp) {
      const group = COMMAND_GROUPS[entry.group];
      cliApp = await import('./cli-app');
      app = await cliApp.startCliApp(await group.module?.(), group.queues === true);
    }
    const result = await cmd.run({ options: options as Record<string, string | string[] | boolean | undefined>, config, app: app as INestApplicationContext });
    if (app && cliApp) await cliApp.auditCommand(app, cmd.name, options as Record<string, unknown>, result.json);
    io.out(json ? JSON.stringify(result.json, null, 2) : result.text);
    return result.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) return fail(EXIT.usage, 'usage_error', error.message);
    if (appConfig && error instanceof appConfig.ConfigError) {
      return fail(EXIT.config, 'config_invalid', 'Invalid configuration', error.problems.map((message) => ({ message })));
    }
    if (cliApp && error instanceof cliApp.SchemaBehindError) {
      return fail(EXIT.config, 'schema_behind',
        `The database is behind this version: ${error.pending} migration(s) not applied. Run npm run cli -- db:migrate, then this command again.`);
    }
    if (error instanceof DomainError) return fail(EXIT.failed, error.code, error.message, error.details);
    // Where it failed, not what the error said: a driver's message can quote the values given.
    const code = (error as { code?: unknown })?.code;
    const frames = ((error as Error)?.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n');
    if (frames) io.err(frames);
    return fail(EXIT.internal, 'internal_error',
      `${entry.name} failed unexpectedly (${(error as Error)?.name ?? 'error'}${typeof code === 'string' ? ` ${code}` : ''})`);
  } finally {
    await app?.close();
  }
}
