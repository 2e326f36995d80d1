// `Authorization: Bearer …` → who is calling, or the answer that refuses them (401 with
// WWW-Authenticate as RFC 6750 and RFC 9728 describe, 403 for missing scope). Static tokens are
// tried first; a JWT goes to the OAuth verifier when one is configured.
import { staticTokenCaller } from './caller-names.js';
import { type Identity, LOOPBACK_IDENTITY } from './identity.js';
import type { JwtVerifier } from './oauth.js';
import { SCOPES } from '../../scopes.js';
import { matchStaticToken } from './token-match.js';
import type { StaticToken } from './tokens.js';

export type AuthResult =
  | { ok: true; identity: Identity; token: string }
  | { ok: false; status: 401 | 403 | 503; error: string; description: string; wwwAuthenticate?: string };

export interface AuthenticatorOptions {
  tokens: readonly StaticToken[] | null;
  jwt: JwtVerifier | null;
  /** The protected-resource metadata URL, named in every 401 when OAuth is configured. */
  resourceMetadataUrl?: () => string;
}

/** Longer headers are refused before any hashing or parsing. */
const MAX_AUTHORIZATION_LENGTH = 8_192;
const REALM = 'huaweicloud-er-mcp';

export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  /** False only for a loopback server started without tokens or OAuth. */
  get required(): boolean {
    return Boolean(this.options.tokens || this.options.jwt);
  }

  /** Who calls, if the token is valid and holds `scope` (er:read, which every tool needs, unless another is named). */
  async authenticate(header: string | undefined, scope: string = SCOPES.read): Promise<AuthResult> {
    if (!this.required) return { ok: true, identity: LOOPBACK_IDENTITY, token: '' };
    // RFC 6750 §3.1: a request without credentials gets the challenge, without an error code.
    if (header === undefined || header === '') return this.challenge(401, undefined, 'Authentication required: send Authorization: Bearer <token>');
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (header.length > MAX_AUTHORIZATION_LENGTH || !match) return this.challenge(401, 'invalid_token', 'Expected Authorization: Bearer <token>');
    const token = match[1]!;

    let identity: Identity | undefined;
    const known = this.options.tokens ? matchStaticToken(this.options.tokens, token) : undefined;
    if (known) identity = { caller: staticTokenCaller(known.name), clientId: known.name, scopes: known.scopes, tokenName: known.name };
    else if (this.options.jwt && token.split('.').length === 3) {
      const check = await this.options.jwt(token);
      if (!check.ok) {
        if (check.kind === 'unavailable') return { ok: false, status: 503, error: 'temporarily_unavailable', description: check.reason };
        return this.challenge(401, 'invalid_token', check.reason);
      }
      identity = check.identity;
    }
    if (!identity) return this.challenge(401, 'invalid_token', 'The token is not valid');
    if (!identity.scopes.includes(scope)) {
      return this.challenge(403, 'insufficient_scope', `The token lacks the ${scope} scope ${scope === SCOPES.read ? 'every tool needs' : 'this endpoint needs'}`, scope);
    }
    return { ok: true, identity, token };
  }

  private challenge(status: 401 | 403, error: string | undefined, description: string, scope?: string): AuthResult {
    const params = [`realm="${REALM}"`];
    if (error) params.push(`error="${error}"`, `error_description="${description}"`);
    if (scope) params.push(`scope="${scope}"`);
    const metadata = this.options.resourceMetadataUrl?.();
    if (metadata) params.push(`resource_metadata="${metadata}"`);
    return { ok: false, status, error: error ?? 'unauthorized', description, wwwAuthenticate: `Bearer ${params.join(', ')}` };
  }
}
