// This server as an OAuth 2.1 resource server: it accepts JWT access tokens signed by the
// configured authorization server, with the keys from its JWKS (found through its metadata,
// RFC 8414, unless given), and checks issuer, audience, expiry and not-before.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Identity } from './identity.js';
import type { OAuthSettings } from './http-settings.js';

/** Asymmetric algorithms only: an HMAC or "none" token must never verify against a public key set. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Clock difference tolerated between this host and the authorization server. */
const CLOCK_TOLERANCE_SECONDS = 30;
const FETCH_TIMEOUT_MS = 5_000;

export type JwtCheck = { ok: true; identity: Identity } | { ok: false; kind: 'invalid' | 'unavailable'; reason: string };

export type JwtVerifier = (token: string) => Promise<JwtCheck>;

export class OAuthDiscoveryError extends Error {
  override name = 'OAuthDiscoveryError';
}

/** The JWKS URL: the configured one, else the `jwks_uri` of the issuer's metadata. */
export async function resolveJwksUrl(settings: OAuthSettings): Promise<string> {
  if (settings.jwksUrl) return settings.jwksUrl;
  const tried: string[] = [];
  for (const url of metadataUrls(settings.issuer)) {
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      tried.push(`${url}: ${(error as Error).message}`);
      continue;
    }
    if (!response.ok) {
      tried.push(`${url}: HTTP ${response.status}`);
      continue;
    }
    const metadata = (await response.json().catch(() => null)) as { issuer?: unknown; jwks_uri?: unknown } | null;
    // RFC 8414 §3.3: metadata that names another issuer must not be used.
    if (metadata?.issuer !== settings.issuer) throw new OAuthDiscoveryError(`The metadata at ${url} names issuer ${JSON.stringify(metadata?.issuer)}, not ${settings.issuer}: check --oauth-issuer.`);
    if (typeof metadata.jwks_uri !== 'string') throw new OAuthDiscoveryError(`The metadata at ${url} has no jwks_uri: set --oauth-jwks-url.`);
    const jwks = new URL(metadata.jwks_uri);
    const loopback = jwks.hostname === '127.0.0.1' || jwks.hostname === 'localhost' || jwks.hostname === '[::1]';
    if (jwks.protocol !== 'https:' && !(jwks.protocol === 'http:' && loopback)) throw new OAuthDiscoveryError(`The issuer's jwks_uri ${metadata.jwks_uri} is not https.`);
    return jwks.href;
  }
  throw new OAuthDiscoveryError(`Could not read the authorization server's metadata for ${settings.issuer} (${tried.join('; ')}): check --oauth-issuer, or set --oauth-jwks-url.`);
}

/** RFC 8414 puts the well-known part before the issuer's path; OpenID Connect after it. */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const urls = [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
  if (path) urls.push(`${url.origin}/.well-known/openid-configuration${path}`);
  return urls;
}

export function createJwtVerifier(settings: OAuthSettings, jwksUrl: string): JwtVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: FETCH_TIMEOUT_MS });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      return classify(error);
    }
    return { ok: true, identity: identityOf(payload) };
  };
}

function identityOf(payload: JWTPayload): Identity {
  const sub = String(payload.sub);
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : sub;
  return { caller: sub, clientId, scopes: scopesOf(payload), expiresAt: payload.exp };
}

/** RFC 9068 `scope` (space-separated), or the `scp` list some authorization servers use. */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter((s) => s !== '');
  const scp = payload.scp;
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  if (typeof scp === 'string') return scp.split(' ').filter((s) => s !== '');
  return [];
}

/** Why a token was refused, in words that never quote the token. */
function classify(error: unknown): JwtCheck {
  if (error instanceof errors.JWTExpired) return { ok: false, kind: 'invalid', reason: 'The token has expired' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = error.claim === 'nbf' ? 'The token is not valid yet' : `The token's "${error.claim}" claim is not accepted here`;
    return { ok: false, kind: 'invalid', reason };
  }
  if (error instanceof errors.JWKSNoMatchingKey) return { ok: false, kind: 'invalid', reason: 'The token is signed by a key the authorization server does not publish' };
  if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, kind: 'invalid', reason: 'The token signature is invalid' };
  if (error instanceof errors.JOSEAlgNotAllowed) return { ok: false, kind: 'invalid', reason: 'The token is signed with an algorithm not accepted here' };
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return { ok: false, kind: 'invalid', reason: 'The token is not a well-formed JWT' };
  // Fetching the key set failed (timeout, network, an answer that is not a key set): the token may be fine.
  const fetchFailed = !(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC';
  if (fetchFailed) return { ok: false, kind: 'unavailable', reason: 'The authorization server keys cannot be fetched right now' };
  return { ok: false, kind: 'invalid', reason: 'The token is not accepted' };
}
