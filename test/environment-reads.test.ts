// The environment is read in one place, src/config.ts, and only for the settings of the table:
// a variable read anywhere else would be a setting nobody documented, and one --help never shows.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTING_ROWS } from '../src/settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const files = sources(SRC).map((path) => ({ name: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

describe('environment reads', () => {
  it('process.env appears in src/config.ts only', () => {
    const readers = files.filter((f) => /\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/.test(f.text)).map((f) => f.name);
    expect(readers, 'read the environment in src/config.ts (a row in src/settings.ts) and pass the value on').toEqual(['src/config.ts']);
  });

  it('every variable a source names through an environment object is a row of the settings table', () => {
    const known = new Set(SETTING_ROWS.flatMap((row) => (row.env === undefined ? [] : [row.env])));
    const unknown: string[] = [];
    for (const file of files) {
      for (const match of file.text.matchAll(/\benv(?:\??\.|\[\s*['"])([A-Z][A-Z0-9_]+)\b/g)) {
        if (!known.has(match[1]!)) unknown.push(`${file.name}: ${match[1]}`);
      }
    }
    expect(unknown, 'add a row to src/settings.ts for each').toEqual([]);
  });

  it('the scan sees a read where there is one', () => {
    expect(files.some((f) => f.name === 'src/credentials.ts' && /env\.HUAWEICLOUD_SDK_AK/.test(f.text))).toBe(true);
    expect(files.find((f) => f.name === 'src/config.ts')?.text).toMatch(/process\.env/);
  });
});
