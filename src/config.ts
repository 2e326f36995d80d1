// The one place the program reads its environment and its command line (a test keeps it so):
// load-config.ts turns them into the Config, each setting through its row of the table in
// settings.ts. This module imports nothing, so bin.ts can ask it about source maps before the
// rest of the program loads without loading anything else.
import type { Env } from './credentials.js';

/** The process's environment variables. */
export function processEnvironment(): Env {
  return process.env;
}

/** The process's command-line arguments, after the program's own path. */
export function processArguments(): readonly string[] {
  return process.argv.slice(2);
}

/**
 * Whether stack traces should be mapped to src/ files: read by bin.ts before the rest of the
 * program loads, since only modules loaded after the switch are mapped. LOG_LEVEL is the log
 * level's row of the settings table (test/config-settings.test.ts keeps them the same).
 */
export function wantsSourceMaps(env: Env = process.env): boolean {
  const level = env.LOG_LEVEL;
  return level === 'debug' || level === 'trace';
}
