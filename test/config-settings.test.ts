// Behaviour settings read from the environment: the wait cap, the shutdown bound and the log level.
import { describe, expect, it } from 'vitest';
import { wantsSourceMaps } from '../src/config.js';
import { SETTINGS } from '../src/settings.js';
import { loadConfig, UsageError } from '../src/load-config.js';

const load = (env: Record<string, string | undefined>) => loadConfig([], { HOME: '/nonexistent', ...env });

describe('HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS', () => {
  it('defaults to 50 s, under the 60 s most MCP clients allow a request', () => {
    expect(load({}).maxWaitMs).toBe(50_000);
    expect(load({ HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: '' }).maxWaitMs).toBe(50_000);
  });

  it('takes whole or fractional seconds, up to 900', () => {
    expect(load({ HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: '3' }).maxWaitMs).toBe(3_000);
    expect(load({ HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: ' 2.5 ' }).maxWaitMs).toBe(2_500);
    expect(load({ HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: '900' }).maxWaitMs).toBe(900_000);
  });

  it('anything else stops start-up with a message naming the variable and the range', () => {
    for (const bad of ['0', '-5', 'abc', '50s', '1e3', '901', 'Infinity', '0x10']) {
      let error: unknown;
      try {
        load({ HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error, bad).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain(`HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS must be a number of seconds above 0 and at most 900 (got "${bad}")`);
    }
  });
});

describe('HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS', () => {
  it('defaults to 10 s', () => {
    expect(load({}).shutdownMs).toBe(10_000);
    expect(load({ HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: ' ' }).shutdownMs).toBe(10_000);
  });

  it('takes whole seconds from 1 to 600', () => {
    expect(load({ HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: '1' }).shutdownMs).toBe(1_000);
    expect(load({ HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: ' 30 ' }).shutdownMs).toBe(30_000);
    expect(load({ HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: '600' }).shutdownMs).toBe(600_000);
  });

  it('anything else stops start-up with a message naming the variable and the range', () => {
    for (const bad of ['0', '-1', '2.5', 'abc', '10s', '1e1', '601', 'Infinity', '0x10']) {
      expect(() => load({ HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: bad }), bad).toThrow(UsageError);
      expect(() => load({ HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: bad }), bad).toThrow(`HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS must be a whole number of seconds from 1 to 600 (got "${bad}")`);
    }
  });
});

describe('LOG_LEVEL', () => {
  it('known levels pass, in any case', () => {
    expect(load({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(load({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(load({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(load({}).logLevel).toBe('info');
  });

  it('debug and trace switch source maps on before the program loads (bin.ts asks config.ts)', () => {
    expect(wantsSourceMaps({ LOG_LEVEL: 'debug' })).toBe(true);
    expect(wantsSourceMaps({ LOG_LEVEL: 'trace' })).toBe(true);
    expect(wantsSourceMaps({ LOG_LEVEL: 'info' })).toBe(false);
    expect(wantsSourceMaps({})).toBe(false);
    // config.ts names the variable itself (it imports nothing): the same as the table's row.
    expect(SETTINGS.logLevel.env).toBe('LOG_LEVEL');
  });

  it('a mistyped level becomes info with a warning, not an error', () => {
    const config = load({ LOG_LEVEL: 'verbose' });
    expect(config.logLevel).toBe('info');
    expect(config.warnings).toContain('LOG_LEVEL "verbose" is not one of trace, debug, info, warn, error, fatal, silent: logging at info.');
  });
});

describe('HUAWEICLOUD_ER_EMULATOR_FAULTS', () => {
  it('is read here and handed on as given, for the emulator and the sandbox to parse', () => {
    expect(load({ HUAWEICLOUD_ER_EMULATOR_FAULTS: '{"seed": 1}' }).emulatorFaults).toBe('{"seed": 1}');
    expect(load({ HUAWEICLOUD_ER_EMULATOR_FAULTS: '' }).emulatorFaults).toBeUndefined();
    expect(load({}).emulatorFaults).toBeUndefined();
  });
});

describe('change-control settings', () => {
  const loadArgs = (argv: string[], env: Record<string, string | undefined> = {}) => loadConfig(argv, { HOME: '/nonexistent', ...env });

  it('--require-second-person and its variable, over HTTP', () => {
    expect(loadArgs(['serve', '--http', '--require-second-person']).guardrails.requireSecondPerson).toBe(true);
    expect(loadArgs(['serve', '--http'], { HUAWEICLOUD_ER_MCP_REQUIRE_SECOND_PERSON: 'true' }).guardrails.requireSecondPerson).toBe(true);
    expect(loadArgs(['serve', '--http', '--require-second-person=false'], { HUAWEICLOUD_ER_MCP_REQUIRE_SECOND_PERSON: 'true' }).guardrails.requireSecondPerson).toBe(false);
    expect(loadArgs(['serve', '--http']).guardrails.requireSecondPerson).toBe(false);
  });

  it('a second person cannot be required on stdio, nor with --confirm-writes never', () => {
    expect(() => loadArgs(['--require-second-person'])).toThrow(/needs serve --http: on stdio the only person who can approve is the local user/);
    expect(() => loadArgs(['serve', '--http', '--require-second-person', '--confirm-writes', 'never'])).toThrow(/contradicts --confirm-writes never/);
  });

  it('--plan-ttl-seconds: 15 minutes by default, 60 to 86400 seconds when set', () => {
    expect(loadArgs([]).guardrails.planTtlMs).toBe(900_000);
    expect(loadArgs(['--plan-ttl-seconds', '120']).guardrails.planTtlMs).toBe(120_000);
    expect(loadArgs([], { HUAWEICLOUD_ER_MCP_PLAN_TTL_SECONDS: '3600' }).guardrails.planTtlMs).toBe(3_600_000);
    for (const bad of ['0', '59', '86401', '1.5', 'soon']) {
      expect(() => loadArgs(['--plan-ttl-seconds', bad]), bad).toThrow(UsageError);
    }
  });
});
