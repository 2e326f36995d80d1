// This server as an OAuth client of the authorization server, for the approval pages' sign-in: the
// authorization request the browser is sent with (code flow, PKCE S256), and the exchange of the
// code it brings back at the token endpoint, bounded in time and size. What comes back is only
// handed on: the caller verifies the access token as /mcp would.
import { createHash, randomBytes } from 'node:crypto';
import type { SignInEndpoints } from '../transports/http/issuer-metadata.js';

export interface OidcClientOptions {
  endpoints: SignInEndpoints;
  clientId: string;
  /** Absent for a public client: then PKCE alone ties the code to this server. */
  clientSecret?: string;
  scopes: readonly string[];
  /** The audience /mcp checks: the token must be issued for it. */
  audience: string;
  /** `{public origin}/approvals/oidc/callback`, known once the server listens. */
  redirectUri: () => string;
}

/** A refusal's `detail` is for the log: a status and an RFC 6749 error code at most, never a value sent or received. */
export type CodeExchange = { ok: true; accessToken: string } | { ok: false; kind: 'refused' | 'unavailable'; detail: string };

const TOKEN_TIMEOUT_MS = 10_000;
/** A token response is a few KiB; a larger one is not read. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** RFC 6749 §5.2's error codes are ASCII without quotes or backslashes; anything else is not repeated. */
const ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

export class OidcClient {
  constructor(private readonly options: OidcClientOptions) {}

  /** Where the browser goes to sign in; `state` comes back with it, the verifier stays here. */
  authorizationUrl(state: string, verifier: string): string {
    const { endpoints, clientId, scopes, audience } = this.options;
    const url = new URL(endpoints.authorization);
    const params = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: this.options.redirectUri(),
      scope: scopes.join(' '),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      // Some OpenID providers want a nonce whenever openid is asked for. It is not kept: the ID token
      // is not used (only the verified access token is proof), so there is nothing to check it in.
      nonce: randomBytes(16).toString('base64url'),
      // `audience` for the servers that name it so; `resource` (RFC 8707) must be an absolute URI.
      audience,
      ...(isAbsoluteUri(audience) ? { resource: audience } : {}),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /** The code for an access token (RFC 6749 §4.1.3, RFC 7636 §4.5). */
  async exchange(code: string, verifier: string): Promise<CodeExchange> {
    const { endpoints, clientId, clientSecret } = this.options;
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.options.redirectUri(), code_verifier: verifier });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    // client_secret_basic (RFC 6749 §2.3.1: each part form-encoded first); a public client names itself in the body.
    if (clientSecret !== undefined) headers.authorization = `Basic ${Buffer.from(`${formEncoded(clientId)}:${formEncoded(clientSecret)}`).toString('base64')}`;
    else body.set('client_id', clientId);

    let status: number;
    let text: string | null;
    try {
      const response = await fetch(endpoints.token, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS) });
      status = response.status;
      text = await readAtMost(response, MAX_TOKEN_RESPONSE_BYTES);
    } catch (error) {
      return { ok: false, kind: 'unavailable', detail: (error as Error).name === 'TimeoutError' ? `no answer within ${TOKEN_TIMEOUT_MS / 1000} s` : 'could not be reached' };
    }
    if (text === null) return { ok: false, kind: 'unavailable', detail: `HTTP ${status}, an answer over ${MAX_TOKEN_RESPONSE_BYTES} bytes` };
    const answer = jsonObject(text);
    if (status !== 200) {
      const error = typeof answer?.error === 'string' && ERROR_CODE.test(answer.error) ? ` ${answer.error}` : '';
      // RFC 6749 §5.2: the server refuses with 400 (401 for client authentication); anything else is it failing.
      return { ok: false, kind: status === 400 || status === 401 ? 'refused' : 'unavailable', detail: `HTTP ${status}${error}` };
    }
    if (typeof answer?.access_token !== 'string' || answer.access_token === '') return { ok: false, kind: 'unavailable', detail: 'HTTP 200 without an access_token' };
    // A DPoP or other sender-constrained token is not one /mcp would accept as a bearer token.
    if (typeof answer.token_type !== 'string' || answer.token_type.toLowerCase() !== 'bearer') return { ok: false, kind: 'refused', detail: 'HTTP 200 with a token that is not a Bearer token' };
    return { ok: true, accessToken: answer.access_token };
  }
}

/** The body as text, or null past `maxBytes` (then the rest is not read). */
async function readAtMost(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream.
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function formEncoded(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. */
function isAbsoluteUri(value: string): boolean {
  return URL.canParse(value) && !value.includes('#');
}
