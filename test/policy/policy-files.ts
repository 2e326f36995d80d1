// Policy files for tests: written into a fresh temporary directory with mode 0644 (a checkout's
// own mode depends on the umask, and a group-writable policy is refused).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

export const EXAMPLE_YAML = readFileSync(new URL('../fixtures/policy/example.yaml', import.meta.url), 'utf8');
export const EXAMPLE_JSON = readFileSync(new URL('../fixtures/policy/example.json', import.meta.url), 'utf8');

/** Writes `text` as `name` in a new temporary directory (or `dir`), mode 0644; returns its path. */
export function policyFile(text: string, name = 'policy.json', dir = tempDir('er-mcp-policy')): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return path;
}
