#!/usr/bin/env node
// `npm run docs:settings`: rewrites the README's settings tables, the regions between
// `<!-- settings:GROUP:start … -->` and `<!-- settings:GROUP:end -->`, from src/settings.ts.
// `--check` changes nothing and exits 1 when the README is out of date (test/settings-table.test.ts
// makes the same check in the suite).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = path.join(ROOT, 'README.md');

/** The renderer, compiled from src/ in memory: the README never waits for a build. */
async function loadRenderer() {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/settings-text.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'warning',
  });
  const source = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
}

const { rewriteSettingsRegions, settingsRegions } = await loadRenderer();
const before = await readFile(README, 'utf8');
const after = rewriteSettingsRegions(before);
const regions = settingsRegions(before);

if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write('README.md: the settings tables differ from src/settings.ts. Run npm run docs:settings.\n');
    process.exit(1);
  }
  process.stdout.write(`README.md: ${regions.length} settings tables up to date.\n`);
} else if (after === before) {
  process.stdout.write(`README.md: ${regions.length} settings tables already up to date.\n`);
} else {
  await writeFile(README, after);
  process.stdout.write(`README.md: ${regions.length} settings tables rewritten (${regions.join(', ')}).\n`);
}
