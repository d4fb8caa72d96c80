import 'reflect-metadata';
import { AppConfig, ConfigError, loadConfig } from './infra/config/app-config';

/** Validates configuration before Nest starts, so a bad variable ends the process with one clear list. */
export function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\nSee README.md, "Configuration", for every variable.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
