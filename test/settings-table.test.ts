// The settings table is the one statement of every setting: the command line is parsed by it,
// `--help` and the README's tables are generated from it, and they fail here when they drift.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseArgs, UsageError } from '../src/load-config.js';
import { GROUPS, type Setting, SETTING_ROWS, SETTINGS, settingLabel } from '../src/settings.js';
import { renderHelp, rewriteSettingsRegions, settingsRegions } from '../src/settings-text.js';
import { VERSION } from '../src/version.js';
import { CLI_PATH } from './helpers.js';

const README_PATH = new URL('../README.md', import.meta.url);
const FIX = 'npm run docs:settings';

describe('the table itself', () => {
  it('names each variable once, and a flag twice only for settings of different commands with the same kind of value', () => {
    const variables = SETTING_ROWS.flatMap((row) => (row.env === undefined ? [] : [row.env]));
    expect(new Set(variables).size).toBe(variables.length);
    const byFlag = new Map<string, Setting[]>();
    for (const row of SETTING_ROWS) if (row.flag !== undefined) byFlag.set(row.flag, [...(byFlag.get(row.flag) ?? []), row]);
    for (const [flag, rows] of byFlag) {
      if (rows.length === 1) continue;
      expect(new Set(rows.map((row) => row.value.kind)).size, `--${flag}`).toBe(1);
      const commands = rows.flatMap((row) => row.commands);
      expect(new Set(commands).size, `--${flag} applies to one command through two rows`).toBe(commands.length);
    }
  });

  it('gives every row a flag or a variable, a known group, a command and a meaning that is a sentence', () => {
    for (const row of SETTING_ROWS) {
      const label = settingLabel(row);
      expect(label, JSON.stringify(row)).not.toBe('');
      expect(GROUPS.map((g) => g.id), label).toContain(row.group);
      expect(row.commands.length, label).toBeGreaterThan(0);
      expect(row.meaning, label).toMatch(/^\S.*[.)]$/s);
    }
  });

  it('keeps each default among the values its setting takes', () => {
    for (const row of SETTING_ROWS) {
      const { value } = row;
      if (row.default === undefined) continue;
      const label = settingLabel(row);
      if (value.kind === 'choice') expect(value.choices, label).toContain(row.default);
      if (value.kind === 'boolean') expect(typeof row.default, label).toBe('boolean');
      if (value.kind === 'number') {
        expect(typeof row.default, label).toBe('number');
        const n = row.default as number;
        if (value.min !== undefined) expect(n, label).toBeGreaterThanOrEqual(value.min);
        if (value.above !== undefined) expect(n, label).toBeGreaterThan(value.above);
        if (value.max !== undefined) expect(n, label).toBeLessThanOrEqual(value.max);
        if (value.whole) expect(Number.isInteger(n), label).toBe(true);
      }
    }
  });

  it('has no flag for a secret: a command line is visible to every local user', () => {
    expect(SETTING_ROWS.filter((row) => row.secret && row.flag !== undefined).map(settingLabel)).toEqual([]);
  });
});

describe('the command line is parsed by the table', () => {
  const flags = [...new Map(SETTING_ROWS.filter((row) => row.flag !== undefined).map((row) => [row.flag!, row.value.kind])).entries()];

  it('every flag that takes a value refuses to stand alone', () => {
    for (const [flag] of flags.filter(([, kind]) => kind !== 'switch' && kind !== 'boolean')) {
      expect(() => parseArgs([`--${flag}`]), flag).toThrow(new UsageError(`--${flag} needs a value`));
      expect(parseArgs([`--${flag}`, 'x']).flags.get(flag), flag).toBe('x');
    }
  });

  it('switches take no value; boolean settings may be given one, to undo their variable', () => {
    for (const [flag, kind] of flags.filter(([, k]) => k === 'switch' || k === 'boolean')) {
      expect(parseArgs([`--${flag}`]).flags.get(flag), flag).toBe('true');
      if (kind === 'switch') expect(() => parseArgs([`--${flag}=yes`]), flag).toThrow(new UsageError(`--${flag} takes no value`));
      else expect(parseArgs([`--${flag}=false`]).flags.get(flag), flag).toBe('false');
    }
  });

  it('a flag that is in no row is unknown', () => {
    expect(() => parseArgs(['--oauth-client-secret', 'x'])).toThrow(new UsageError('unknown flag --oauth-client-secret'));
  });

  it('a flag given to a command none of its rows applies to is refused, naming where it applies', () => {
    const env = { HOME: '/nonexistent' };
    expect(() => loadConfig(['doctor', '--sandbox', '--port', '9'], env)).toThrow(new UsageError('--port applies to serve --http, emulator only, not doctor'));
    expect(() => loadConfig(['emulator', '--read-only'], env)).toThrow(new UsageError('--read-only applies to serve, doctor only, not emulator'));
    expect(() => loadConfig(['emulator', '--sandbox'], env)).toThrow(new UsageError('--sandbox applies to serve, doctor only, not emulator'));
    expect(loadConfig(['emulator', '--port', '9'], env).port).toBe(9);
    expect(loadConfig(['doctor', '--sandbox', '--read-only'], env).guardrails.readOnly).toBe(true);
  });

  it('the defaults the server uses are the table\'s', () => {
    const config = loadConfig(['serve', '--http', '--sandbox'], { HOME: '/nonexistent' });
    expect(config.http).toMatchObject({
      host: SETTINGS.host.default,
      port: SETTINGS.httpPort.default,
      rateLimitPerMinute: SETTINGS.httpRateLimit.default,
      maxSessions: SETTINGS.httpMaxSessions.default,
      maxSessionsPerCaller: SETTINGS.httpMaxSessionsPerCaller.default,
      sessionIdleMs: SETTINGS.httpSessionIdleSeconds.default * 1000,
    });
    expect(config.guardrails).toMatchObject({
      readOnly: SETTINGS.readOnly.default,
      confirmWrites: SETTINGS.confirmWrites.default,
      confirmTimeoutMs: SETTINGS.confirmTimeoutSeconds.default * 1000,
      planTtlMs: SETTINGS.planTtlSeconds.default * 1000,
      requireSecondPerson: SETTINGS.requireSecondPerson.default,
    });
    expect(config).toMatchObject({
      logLevel: SETTINGS.logLevel.default,
      callDeadlineMs: SETTINGS.callTimeoutSeconds.default * 1000,
      maxWaitMs: SETTINGS.maxWaitSeconds.default * 1000,
      shutdownMs: SETTINGS.shutdownSeconds.default * 1000,
    });
  });
});

describe('--help', () => {
  const help = renderHelp(VERSION);

  it('is what the built CLI prints', () => {
    expect(execFileSync(process.execPath, [CLI_PATH, '--help'], { encoding: 'utf8', env: {} }), `dist/cli.js --help is not renderHelp(): run npm run build`).toBe(help);
  });

  it('shows every flag and variable, grouped, with its default, in lines of at most 100 columns', () => {
    for (const row of SETTING_ROWS) {
      if (row.flag !== undefined) expect(help, settingLabel(row)).toMatch(new RegExp(`^  --${row.flag}\\b`, 'm'));
      if (row.env !== undefined) expect(help, settingLabel(row)).toMatch(new RegExp(`\\b${row.env}\\b`));
      if (typeof row.default === 'number' && row.defaultText === undefined) expect(help.replace(/\s+/g, ' '), settingLabel(row)).toContain(`Default: ${row.default}.`);
    }
    for (const group of GROUPS) expect(help).toContain(`\n${group.title}`);
    expect(help.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });
});

describe('README.md', () => {
  const readme = readFileSync(README_PATH, 'utf8');

  it('has one settings region for every group of the table', () => {
    expect([...settingsRegions(readme)].sort(), `README.md needs a <!-- settings:GROUP:start --> … <!-- settings:GROUP:end --> pair per group, then ${FIX}`).toEqual(
      GROUPS.filter((g) => SETTING_ROWS.some((row) => row.group === g.id)).map((g) => g.id).sort(),
    );
  });

  it('has the tables the settings table generates', () => {
    expect(readme, `README.md's settings tables differ from src/settings.ts: run ${FIX}`).toBe(rewriteSettingsRegions(readme));
  });
});

describe('npm run docs:settings', () => {
  it('--check finds the README up to date (the command the failures above name works from src/)', () => {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/docs-settings.mjs', import.meta.url)), '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/^README\.md: \d+ settings tables up to date\.\n$/);
  });
});
