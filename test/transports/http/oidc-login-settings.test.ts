// The approval pages' sign-in settings of `serve --http`, through loadConfig as the CLI calls it:
// the client id, its secret (from the environment or a private file, never a flag), the scopes
// asked for, and every refusal, none of which quotes the secret.
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, UsageError } from '../../../src/load-config.js';
import { tempDir } from '../../helpers.js';

const env = { HOME: '/nonexistent-home', XDG_STATE_HOME: '/nonexistent-state' };
const OAUTH = ['--oauth-issuer', 'https://login.example.com/tenant', '--oauth-audience', 'https://er-mcp.example.com/mcp'];
const SECRET = 'oidc-client-secret-7d1f3b5a9c2e4d6f';

function oauth(args: string[], extraEnv: Record<string, string> = {}) {
  return loadConfig(['serve', '--http', '--sandbox', ...OAUTH, ...args], { ...env, ...extraEnv }).http!.oauth;
}

function refusal(args: string[], extraEnv: Record<string, string> = {}): string {
  try {
    loadConfig(['serve', '--http', '--sandbox', ...args], { ...env, ...extraEnv });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).not.toContain(SECRET);
    return (error as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

function secretFile(content: string, mode = 0o600): string {
  const path = join(tempDir('er-oidc-secret'), 'client-secret');
  writeFileSync(path, content, { mode });
  return path;
}

describe('OIDC sign-in settings', () => {
  it('are off without a client id', () => {
    expect(oauth([])).toEqual({ issuer: 'https://login.example.com/tenant', audience: 'https://er-mcp.example.com/mcp' });
  });

  it('a client id alone is a public client asking for openid er:read er:approve', () => {
    expect(oauth(['--oauth-client-id', 'er-approvals'])?.login).toEqual({ clientId: 'er-approvals', scopes: ['openid', 'er:read', 'er:approve'] });
    expect(oauth([], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_ID: 'from-env' })?.login?.clientId).toBe('from-env');
  });

  it('reads the secret from the environment, or from a 0600 file (trimmed)', () => {
    expect(oauth(['--oauth-client-id', 'c'], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET: SECRET })?.login?.clientSecret).toBe(SECRET);
    const path = secretFile(`${SECRET}\n`);
    expect(oauth(['--oauth-client-id', 'c', '--oauth-client-secret-file', path])?.login?.clientSecret).toBe(SECRET);
    expect(oauth(['--oauth-client-id', 'c'], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET_FILE: path })?.login?.clientSecret).toBe(SECRET);
  });

  it('never takes the secret as a flag: a command line is visible to every local user', () => {
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret', SECRET])).toContain('unknown flag --oauth-client-secret');
  });

  it('reads the scopes asked for, space- or comma-separated', () => {
    expect(oauth(['--oauth-client-id', 'c', '--oauth-login-scopes', 'openid, er:read  er:approve er:read'])?.login?.scopes).toEqual(['openid', 'er:read', 'er:approve']);
    expect(oauth(['--oauth-client-id', 'c'], { HUAWEICLOUD_ER_MCP_OAUTH_LOGIN_SCOPES: 'api://er/er:read' })?.login?.scopes).toEqual(['api://er/er:read']);
  });

  it('a client id needs the issuer; a secret or scopes need the client id', () => {
    expect(refusal(['--oauth-client-id', 'c'])).toContain('--oauth-client-id needs --oauth-issuer');
    expect(refusal([...OAUTH], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET: SECRET })).toContain('need --oauth-client-id');
    expect(refusal([...OAUTH, '--oauth-client-secret-file', secretFile(SECRET)])).toContain('need --oauth-client-id');
    expect(refusal([...OAUTH, '--oauth-login-scopes', 'openid'])).toContain('need --oauth-client-id');
  });

  it('refuses the secret given twice, empty, or with characters a secret cannot have', () => {
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret-file', secretFile(SECRET)], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET: SECRET })).toContain('not both');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c'], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET: ' ' })).toContain('is empty');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret-file', secretFile('\n')])).toContain('is empty');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c'], { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET: `${SECRET}\u0000` })).toContain('printable ASCII');
  });

  it('checks the secret file as the tokens file: not group- or world-accessible, no symbolic link, not large', () => {
    const open = secretFile(SECRET, 0o644);
    chmodSync(open, 0o644);
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret-file', open])).toMatch(/--oauth-client-secret-file.*readable or writable by group or others.*chmod 600/);
    const link = join(tempDir('er-oidc-link'), 'secret');
    symlinkSync(secretFile(SECRET), link);
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret-file', link])).toContain('symbolic link');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret-file', secretFile(`${SECRET}\n${'#'.repeat(5000)}`)])).toContain('larger than 4096 bytes');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-client-secret-file', '/nonexistent/secret'])).toMatch(/\/nonexistent\/secret.*ENOENT/);
  });

  it('refuses a malformed client id or scope', () => {
    expect(refusal([...OAUTH, '--oauth-client-id', 'bad\nid'])).toContain('printable ASCII');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-login-scopes', 'openid er"read'])).toContain('"er\\"read" is not a scope');
    expect(refusal([...OAUTH, '--oauth-client-id', 'c', '--oauth-login-scopes', ' , '])).toContain('set but empty');
  });

  it('are flags of serve --http only', () => {
    expect(() => loadConfig(['serve', '--oauth-client-id', 'c'], env)).toThrow('--oauth-client-id applies to serve --http only');
  });
});

describe('the tokens file', () => {
  it('is refused past 1 MiB, as the secret file is past its size', () => {
    const path = join(tempDir('er-http-tokens'), 'tokens');
    writeFileSync(path, `#${'x'.repeat(1024 * 1024)}\n`, { mode: 0o600 });
    expect(refusal(['--http-tokens', path])).toContain('larger than 1048576 bytes');
  });
});
