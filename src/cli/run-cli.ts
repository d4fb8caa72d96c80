import type { INestApplicationContext } from '@nestjs/common';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { AuditService, referencesIn } from '../audit/audit.service';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../infra/config/app-config';
import { DomainError, errorBody } from '../infra/errors/domain-error';
import type { CliCommand } from './cli-command';
import { CliModule } from './cli.module';
import { COMMANDS } from './commands';

export interface CliIo { out: (text: string) => void; err: (text: string) => void }

export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, config: 78 } as const;

class UsageError extends Error {}

function usage(cmd?: CliCommand): string {
  if (!cmd) {
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    return ['Usage: npm run cli -- <command> [options] [--json]', '', 'Commands:',
      ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '', 'Run a command with --help for its options.'].join('\n');
  }
  const lines = Object.entries(cmd.options).map(([name, o]) =>
    `  --${name}${o.type === 'string' ? ' <value>' : ''}${o.required ? '' : ' (optional)'}  ${o.description}`);
  return [`Usage: npm run cli -- ${cmd.name} [options] [--json]`, '', cmd.summary, '',
    ...lines, '  --json  print the result as JSON'].join('\n');
}

function parseOptions(cmd: CliCommand, args: string[]): { options: Record<string, unknown>; json: boolean; help: boolean } {
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
    throw new UsageError(`${parseProblem(error)}\n\n${usage(cmd)}`);
  }
  const { json, help, ...options } = parsed.values as Record<string, unknown>;
  const missing = Object.entries(cmd.options).filter(([k, o]) => o.required && options[k] === undefined).map(([k]) => `--${k}`);
  if (missing.length && !help) throw new UsageError(`${cmd.name} needs ${missing.join(', ')}\n\n${usage(cmd)}`);
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

  if (!name || name === 'help' || name === '--help') {
    io.out(usage());
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) return fail(EXIT.usage, 'usage_error', `Unknown command: check its spelling against the list below.\n\n${usage()}`);

  let app: INestApplicationContext | undefined;
  try {
    const { options, help } = parseOptions(cmd, args);
    if (help) {
      io.out(usage(cmd));
      return EXIT.ok;
    }
    const config = loadConfig();
    if (cmd.needsApp !== false) {
      app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'], abortOnError: false });
    }
    const result = await cmd.run({ options: options as Record<string, string | string[] | boolean | undefined>, config, app: app as INestApplicationContext });
    if (app) await auditCommand(app, cmd.name, options as Record<string, unknown>, result.json);
    io.out(json ? JSON.stringify(result.json, null, 2) : result.text);
    return result.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) return fail(EXIT.usage, 'usage_error', error.message);
    if (error instanceof ConfigError) return fail(EXIT.config, 'config_invalid', 'Invalid configuration', error.problems.map((message) => ({ message })));
    if (error instanceof DomainError) return fail(EXIT.failed, error.code, error.message, error.details);
    // Where it failed, not what the error said: a driver's message can quote the values given.
    const code = (error as { code?: unknown })?.code;
    const frames = ((error as Error)?.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n');
    if (frames) io.err(frames);
    return fail(EXIT.internal, 'internal_error',
      `${cmd.name} failed unexpectedly (${(error as Error)?.name ?? 'error'}${typeof code === 'string' ? ` ${code}` : ''})`);
  } finally {
    await app?.close();
  }
}

/**
 * Every command that ran is in the audit trail: who at the console, which survey, patients,
 * step, trust or file; the option names but not their values (an address or a reason is
 * patient data).
 */
async function auditCommand(app: INestApplicationContext, name: string, options: Record<string, unknown>, json: unknown): Promise<void> {
  const text = (key: string) => (typeof options[key] === 'string' ? (options[key] as string) : undefined);
  const file = text('file');
  await app.get(AuditService).record({
    actor: `cli:${userInfo().username}`,
    actorRole: 'coordinator',
    action: `cli.${name}`,
    surveyCode: text('survey') ?? (json as { survey?: string } | undefined)?.survey,
    references: [...(text('ref') ? [text('ref')!] : []), ...referencesIn(json)],
    subject: text('step') ?? text('trust') ?? (file ? basename(file) : undefined) ?? text('email') ?? null,
    details: { options: Object.keys(options).filter((k) => options[k] !== undefined) },
  });
}
