// This server as an OAuth 2.1 resource server: it accepts JWT access tokens signed by the
// configured authorization server, with the keys from its JWKS (issuer-metadata.ts finds them),
// and checks issuer, audience, expiry and not-before.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { jwtCaller } from './caller-names.js';
import type { Identity } from './identity.js';
import type { OAuthSettings } from './http-settings.js';

/** Asymmetric algorithms only: an HMAC or "none" token must never verify against a public key set. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Clock difference tolerated between this host and the authorization server. */
const CLOCK_TOLERANCE_SECONDS = 30;
export const FETCH_TIMEOUT_MS = 5_000;

export type JwtCheck = { ok: true; identity: Identity } | { ok: false; kind: 'invalid' | 'unavailable'; reason: string };

export type JwtVerifier = (token: string) => Promise<JwtCheck>;

export interface JwtVerifierOptions {
  /**
   * The claim whose values a policy's `groups` match (the policy's groupsClaim), read at each
   * verification so a reloaded policy applies to the next request; undefined: no groups are kept.
   */
  groupsClaim?: () => string | undefined;
}

export function createJwtVerifier(settings: OAuthSettings, jwksUrl: string, options: JwtVerifierOptions = {}): JwtVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: FETCH_TIMEOUT_MS });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // No exp: a token that would open this server for as long as its signing key lives. No sub: no caller.
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      return classify(error);
    }
    return { ok: true, identity: identityOf(settings.issuer, payload, options.groupsClaim?.()) };
  };
}

/** `issuer` is the configured one, which jwtVerify has just compared with the token's `iss`. */
function identityOf(issuer: string, payload: JWTPayload, groupsClaim: string | undefined): Identity {
  const sub = String(payload.sub);
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : typeof payload.azp === 'string' ? payload.azp : sub;
  const groups = groupsClaim === undefined ? [] : groupsOf(payload, groupsClaim);
  return { caller: jwtCaller(issuer, sub), clientId, scopes: scopesOf(payload), expiresAt: payload.exp, subject: sub, groups };
}

/**
 * The values of the groups claim: the claim of that exact name (`groups`, or a namespaced one
 * such as `https://example.com/roles`), else, for a name with dots, the nested claim it paths to
 * (`realm_access.roles`). A list keeps its strings; a string is one value; anything else, none.
 */
export function groupsOf(payload: JWTPayload, claim: string): string[] {
  let value: unknown = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
  if (value === undefined && claim.includes('.')) {
    value = claim.split('.').reduce<unknown>((at, key) => (at !== null && typeof at === 'object' && !Array.isArray(at) && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined), payload);
  }
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return [...new Set(value.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return [];
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
    // A token without an expiry would open this server for as long as the signing key lives.
    // (No double quotes: the description goes into WWW-Authenticate's quoted error_description.)
    if (error.claim === 'exp' && error.reason === 'missing') return { ok: false, kind: 'invalid', reason: 'The token has no exp (expiry) claim: only tokens that expire are accepted' };
    if (error.reason === 'missing') return { ok: false, kind: 'invalid', reason: `The token has no ${error.claim} claim, which is required here` };
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
