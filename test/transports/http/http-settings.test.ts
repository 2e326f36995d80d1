// What `serve --http` accepts at start, through loadConfig as the CLI calls it: defaults, the
// environment twins, and every refusal (with a message that says what to do).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, UsageError } from '../../../src/load-config.js';
import { matchStaticToken } from '../../../src/transports/http/token-match.js';
import { parseTokenLines } from '../../../src/transports/http/tokens.js';
import { CLI_PATH, tempDir } from '../../helpers.js';
import { sha256, TOKENS, writeTokensFile } from './harness.js';

const env = { HOME: '/nonexistent-home', XDG_STATE_HOME: '/nonexistent-state' };

function http(args: string[], extraEnv: Record<string, string> = {}) {
  return loadConfig(['serve', '--http', '--sandbox', ...args], { ...env, ...extraEnv }).http!;
}

function refusal(args: string[], extraEnv: Record<string, string> = {}): string {
  try {
    loadConfig(args, { ...env, ...extraEnv });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

describe('serve --http settings', () => {
  it('stdio stays the default: no http settings without --http', () => {
    expect(loadConfig(['--sandbox'], env).http).toBeUndefined();
  });

  it('defaults: 127.0.0.1:8080, no auth, loopback names, 600/min, 100 sessions (10 per caller), 15 min idle', () => {
    expect(http([])).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: undefined,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      allowedOrigins: null,
      tokens: null,
      oauth: null,
      rateLimitPerMinute: 600,
      sessionIdleMs: 900_000,
      maxSessions: 100,
      maxSessionsPerCaller: 10,
    });
  });

  it('reads the environment twins, and a flag wins over its variable', () => {
    const fromEnv = http([], { HUAWEICLOUD_ER_MCP_HTTP_HOST: '127.0.0.2', HUAWEICLOUD_ER_MCP_HTTP_PORT: '9001', HUAWEICLOUD_ER_MCP_HTTP_RATE_LIMIT: '5' });
    expect(fromEnv).toMatchObject({ host: '127.0.0.2', port: 9001, rateLimitPerMinute: 5 });
    expect(http(['--port', '9002', '--host=localhost'], { HUAWEICLOUD_ER_MCP_HTTP_PORT: '9001' })).toMatchObject({ host: 'localhost', port: 9002 });
  });

  it('refuses to listen beyond loopback without authentication', () => {
    for (const host of ['0.0.0.0', '10.1.2.3', 'er-mcp.internal']) {
      expect(refusal(['serve', '--http', '--host', host, '--http-allowed-hosts', 'x'])).toMatch(/Refusing to listen on .* without authentication/);
    }
    expect(refusal(['serve', '--http'], { HUAWEICLOUD_ER_MCP_HTTP_HOST: '0.0.0.0' })).toContain('without authentication');
  });

  it('listens beyond loopback with a tokens file, but every interface only with the names clients use', () => {
    const tokens = writeTokensFile();
    expect(refusal(['serve', '--http', '--host', '0.0.0.0', '--http-tokens', tokens])).toContain('--http-allowed-hosts');
    const settings = http(['--host', '0.0.0.0', '--http-tokens', tokens, '--http-allowed-hosts', 'ER-MCP.internal,10.0.0.5']);
    expect(settings.allowedHosts).toEqual(['er-mcp.internal', '10.0.0.5']);
    expect(settings.tokens?.map((t) => t.name)).toEqual(['alice', 'bob', 'carol', 'reader']);
    const bound = http(['--host', '10.0.0.5', '--http-tokens', tokens, '--http-public-url', 'https://er-mcp.example.com/mcp']);
    expect(bound.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', '10.0.0.5', 'er-mcp.example.com']);
  });

  it('OAuth needs an audience, https (except loopback), and the issuer for the other OAuth flags', () => {
    expect(refusal(['serve', '--http', '--oauth-issuer', 'https://as.example.com'])).toContain('--oauth-audience');
    expect(refusal(['serve', '--http', '--oauth-issuer', 'http://as.example.com', '--oauth-audience', 'a'])).toContain('https://');
    expect(refusal(['serve', '--http', '--oauth-audience', 'a'])).toContain('--oauth-issuer');
    expect(http(['--oauth-issuer', 'http://127.0.0.1:9/x', '--oauth-audience', 'a']).oauth).toEqual({ issuer: 'http://127.0.0.1:9/x', audience: 'a' });
    // An issuer has no query or fragment (RFC 8414); a JWT caller's name (jwt:<issuer>#<sub>) relies on it.
    expect(refusal(['serve', '--http', '--oauth-issuer', 'https://as.example.com/t#x', '--oauth-audience', 'a'])).toContain('must not have a query or fragment');
    expect(refusal(['serve', '--http', '--oauth-issuer', 'https://as.example.com/t?x=1', '--oauth-audience', 'a'])).toContain('must not have a query or fragment');
  });

  it('HTTP flags without --http, and --http for other commands, are mistakes', () => {
    expect(refusal(['serve', '--host', '0.0.0.0'])).toContain('--host applies to serve --http only');
    expect(refusal(['serve', '--port', '8080'])).toContain('--port applies to serve --http only');
    expect(refusal(['doctor', '--http'])).toContain('--http applies to serve only');
    expect(loadConfig(['emulator', '--port', '0'], env).http).toBeUndefined();
  });

  it('refuses malformed numbers, lists and URLs', () => {
    expect(refusal(['serve', '--http', '--port', '70000'])).toContain('--port');
    expect(refusal(['serve', '--http', '--http-rate-limit', '0'])).toContain('--http-rate-limit');
    expect(refusal(['serve', '--http', '--http-max-sessions', 'lots'])).toContain('--http-max-sessions');
    expect(refusal(['serve', '--http', '--http-session-idle-seconds', '1.5'])).toContain('--http-session-idle-seconds');
    expect(refusal(['serve', '--http', '--http-allowed-hosts', ' , '])).toContain('empty');
    expect(refusal(['serve', '--http', '--http-allowed-origins', 'https://a.example.com/path'])).toContain('not an origin');
    expect(refusal(['serve', '--http', '--http-public-url', 'not a url'])).toContain('--http-public-url');
  });
});

describe('each caller’s share of the sessions', () => {
  it('is 10, or half the cap when the cap is under 20 (at least 1), so a second caller always finds a place', () => {
    const share = (max: string) => http(['--http-max-sessions', max]).maxSessionsPerCaller;
    expect([share('100'), share('1000'), share('20'), share('19'), share('4'), share('2'), share('1')]).toEqual([10, 10, 10, 9, 2, 1, 1]);
  });

  it('is set by --http-max-sessions-per-caller or its variable, the flag winning, up to the cap itself', () => {
    const variable = 'HUAWEICLOUD_ER_MCP_HTTP_MAX_SESSIONS_PER_CALLER';
    expect(http(['--http-max-sessions-per-caller', '3']).maxSessionsPerCaller).toBe(3);
    expect(http([], { [variable]: '4' }).maxSessionsPerCaller).toBe(4);
    expect(http(['--http-max-sessions-per-caller=5'], { [variable]: '4' }).maxSessionsPerCaller).toBe(5);
    expect(http(['--http-max-sessions', '7', '--http-max-sessions-per-caller', '7']).maxSessionsPerCaller).toBe(7);
  });

  it('refuses anything but a whole number from 1 to --http-max-sessions, naming the flag and its variable', () => {
    for (const value of ['0', '-1', '1.5', '1e1', '0x5', 'ten', '101']) {
      expect(refusal(['serve', '--http', '--http-max-sessions-per-caller', value])).toContain('--http-max-sessions-per-caller / HUAWEICLOUD_ER_MCP_HTTP_MAX_SESSIONS_PER_CALLER must be a whole number from 1 to 100');
    }
    expect(refusal(['serve', '--http', '--http-max-sessions', '5', '--http-max-sessions-per-caller', '6'])).toContain('from 1 to 5 (--http-max-sessions)');
    expect(refusal(['serve', '--http'], { HUAWEICLOUD_ER_MCP_HTTP_MAX_SESSIONS_PER_CALLER: '101' })).toContain('(got "101")');
    expect(refusal(['serve', '--http-max-sessions-per-caller', '3'])).toContain('applies to serve --http only');
  });
});

describe('the tokens file', () => {
  it('is refused when group or others may read it', () => {
    const path = writeTokensFile();
    chmodSync(path, 0o640);
    expect(refusal(['serve', '--http', '--http-tokens', path])).toMatch(/readable or writable by group or others.*chmod 600/);
    chmodSync(path, 0o604);
    expect(refusal(['serve', '--http', '--http-tokens', path])).toContain('chmod 600');
  });

  it('is refused when it is a symbolic link, even to a good file', () => {
    const target = writeTokensFile();
    const link = join(tempDir('er-http-link'), 'tokens');
    symlinkSync(target, link);
    expect(refusal(['serve', '--http', '--http-tokens', link])).toContain('symbolic link');
  });

  it('is refused, before anything reads it, when it is a directory, a device or a link to one', () => {
    const dir = join(tempDir('er-http-tokens'), 'tokens');
    mkdirSync(dir, { mode: 0o700 });
    expect(refusal(['serve', '--http', '--http-tokens', dir])).toMatch(/tokens \(--http-tokens.*\) is a directory, not a regular file/);
    expect(refusal(['serve', '--http', '--http-tokens', '/dev/zero'])).toContain('is a character device, not a regular file');
    const link = join(tempDir('er-http-link'), 'tokens');
    symlinkSync('/dev/zero', link);
    expect(refusal(['serve', '--http', '--http-tokens', link])).toContain('symbolic link');
  });

  it('is refused when it is a 2 MiB file, even a sparse one, with its size', () => {
    const path = join(tempDir('er-http-tokens'), 'tokens');
    writeFileSync(path, '', { mode: 0o600 });
    truncateSync(path, 2 * 1024 * 1024);
    expect(refusal(['serve', '--http', '--http-tokens', path])).toContain('is larger than 1048576 bytes (2097152)');
  });

  it('a named pipe stops start-up at once with exit 2, without waiting for a writer', () => {
    const fifo = join(tempDir('er-http-tokens'), 'tokens');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // The built server in a child process: if opening the pipe blocked, it is the child that
    // hangs (and is killed at the timeout), not this test's worker.
    const run = spawnSync(process.execPath, [CLI_PATH, 'serve', '--http', '--port', '0', '--sandbox', '--audit-log', 'off', '--http-tokens', fifo], {
      env: { PATH: process.env.PATH ?? '', HOME: tempDir('er-home') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`The tokens file ${fifo} (--http-tokens / HUAWEICLOUD_ER_MCP_HTTP_TOKENS) is a named pipe (FIFO), not a regular file`);
  });

  it('is refused when missing, with the path and the flag named', () => {
    expect(refusal(['serve', '--http', '--http-tokens', '/nonexistent/tokens'])).toMatch(/\/nonexistent\/tokens.*--http-tokens.*ENOENT/);
  });

  it('refuses malformed lines without quoting what may be a pasted token', () => {
    const hash = sha256(TOKENS.alice);
    const cases: Array<[string, RegExp]> = [
      [`alice ${TOKENS.alice} er:read`, /line 1: the second field must be the SHA-256/],
      [`alice ${hash}`, /three fields/],
      [`alice ${hash} er:admin`, /unknown: er:admin/],
      [`alice ${hash} er:read\nalice ${sha256('x')} er:read`, /line 2: the name alice is used twice/],
      [`alice ${hash} er:read\nbob ${hash} er:read`, /same token hash/],
      ['# only comments\n', /lists no tokens/],
      [`al ice ${hash} er:read`, /three fields/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseTokenLines(text);
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(message);
      expect(String(error)).not.toContain(TOKENS.alice);
    }
  });

  it('matches a presented token by its hash, upper- or lower-case hex in the file', () => {
    const tokens = parseTokenLines(`a ${sha256('one').toUpperCase()} er:read\nb ${sha256('two')} er:read,er:write\n`);
    expect(matchStaticToken(tokens, 'one')?.name).toBe('a');
    expect(matchStaticToken(tokens, 'two')).toMatchObject({ name: 'b', scopes: ['er:read', 'er:write'] });
    expect(matchStaticToken(tokens, 'three')).toBeUndefined();
    expect(matchStaticToken(tokens, '')).toBeUndefined();
  });

  it('accepts a 0600 file written by hand with comments, blank lines and CRLF', () => {
    const path = join(tempDir('er-http-tokens'), 'tokens');
    writeFileSync(path, `# team tokens\r\n\r\nops ${sha256('t')}  er:read,er:write\r\n`, { mode: 0o600 });
    expect(http(['--http-tokens', path]).tokens?.map((t) => [t.name, t.scopes])).toEqual([['ops', ['er:read', 'er:write']]]);
  });
});
