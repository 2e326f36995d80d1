// The caller a policy sees, as it travels: the HTTP transport's Identity → AuthInfo.extra (never
// the token) → CallerIdentity in the tool host; no AuthInfo is the local user on stdio.
import { describe, expect, it } from 'vitest';
import { callerIdentityOf } from '../../src/policy/caller-identity.js';
import { Authenticator } from '../../src/transports/http/auth.js';
import { LOOPBACK_IDENTITY, toAuthInfo } from '../../src/transports/http/identity.js';
import { parseTokenLines } from '../../src/transports/http/tokens.js';
import { sha256 } from '../transports/http/harness.js';

const SECRET = 'bot-token-7e1f0c3a9d2b45e8a6c1';

describe('callerIdentityOf', () => {
  it('without AuthInfo (stdio) the caller is the local user', () => {
    expect(callerIdentityOf(undefined, 'stdio:alice')).toEqual({ caller: 'stdio:alice', groups: [], local: true });
  });

  it('a static token: its name, from the authenticator through AuthInfo, and the token nowhere in what the session sees', async () => {
    const auth = new Authenticator({ tokens: parseTokenLines(`payments-bot ${sha256(SECRET)} er:read,er:write`), jwt: null });
    const result = await auth.authenticate(`Bearer ${SECRET}`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const info = toAuthInfo(result.identity, result.token);
    expect(JSON.stringify(info.extra)).not.toContain(SECRET);
    expect(callerIdentityOf(info, 'stdio')).toEqual({ caller: 'token:payments-bot', tokenName: 'payments-bot', groups: [], local: false });
  });

  it('a JWT: its subject and groups; a loopback server without authentication: the local user', () => {
    const jwt = toAuthInfo({ caller: 'jwt:https://idp#alice', clientId: 'bot', scopes: ['er:read'], subject: 'alice', groups: ['netops'] }, 'header.payload.signature');
    expect(callerIdentityOf(jwt, 'stdio')).toEqual({ caller: 'jwt:https://idp#alice', subject: 'alice', groups: ['netops'], local: false });
    expect(JSON.stringify(jwt.extra)).not.toContain('signature');
    expect(callerIdentityOf(toAuthInfo(LOOPBACK_IDENTITY, ''), 'stdio')).toEqual({ caller: 'http:loopback', groups: [], local: true });
  });

  it('what is not a string in AuthInfo.extra is ignored; a caller without a name is its client id', () => {
    const odd = { token: 't', clientId: 'client-1', scopes: [], extra: { tokenName: 42, subject: '', groups: ['a', 7], local: 'yes' } };
    expect(callerIdentityOf(odd, 'stdio')).toEqual({ caller: 'client-1', groups: ['a'], local: false });
  });
});
