import type { Principal } from '../auth/roles';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DomainError } from '../infra/errors/domain-error';
import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../infra/config/app-config';

/** `multiple`: a string option that may be given more than once (the command receives every value). */
export type OptionSpec = { type: 'string' | 'boolean'; required?: boolean; multiple?: boolean; description: string };

export interface CliContext<O> {
  options: O;
  config: AppConfig;
  /** The Nest context (database, queues, services); absent for commands that declare needsApp: false. */
  app: INestApplicationContext;
}

export interface CliResult {
  /** What --json prints: a stable contract others script against. */
  json: unknown;
  /** What a person reads. */
  text: string;
  /** Non-zero when the command ran but the outcome is a refusal (e.g. a rejected file). */
  exitCode?: number;
}

export interface CliCommand<O = Record<string, string | string[] | boolean | undefined>> {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  needsApp?: boolean;
  run(context: CliContext<O>): Promise<CliResult>;
}

/** Declares a command with its options typed by the spec. */
export function command<S extends Record<string, OptionSpec>>(
  definition: Omit<CliCommand, 'options' | 'run'> & {
    options: S;
    run(context: CliContext<{ [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean
      : S[K]['multiple'] extends true ? string[] | undefined
      : S[K]['required'] extends true ? string : string | undefined }>): Promise<CliResult>;
  },
): CliCommand {
  return definition as unknown as CliCommand;
}

/** The absolute path of a file named by an option, refused clearly when nothing is there. */
export function existingFile(path: string, option = '--file'): string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new DomainError('validation_failed', `There is no file at the path given with ${option}`, [{ where: option, message: 'not found' }]);
  if (!statSync(absolute).isFile()) {
    throw new DomainError('validation_failed', `The path given with ${option} is a folder, not a file: give the file itself`, [{ where: option, message: 'not a file' }]);
  }
  return absolute;
}

/**
 * Writes a command's output where the user asked; a path that cannot be written is a refusal
 * that names the option (never the path: it may be anything the user typed), not a crash.
 */
export async function writtenTo<T>(option: string, what: string, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (typeof (error as { code?: unknown }).code !== 'string' || !(error as { syscall?: unknown }).syscall) throw error;
    throw new DomainError('validation_failed', `${what} cannot be written to the path given with ${option}: check that its folder exists or can be created, and can be written to`,
      [{ where: option, message: 'not writable' }]);
  }
}

/** Who a command acts as: the command line is the coordinator's, recorded in the audit trail as "cli". */
export const CLI_COORDINATOR: Principal = { id: 'cli', role: 'coordinator' };

/** The `--survey CODE` option most commands take. */
export const SURVEY_OPTION = { type: 'string', required: true, description: 'survey code' } as const;
