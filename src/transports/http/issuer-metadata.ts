// What the server needs to know about the authorization server, read once at start from its
// metadata (RFC 8414, or OpenID Connect discovery): where its signing keys are, and, when people
// sign in to the approval pages there, its authorization and token endpoints.
import { type OAuthSettings, isLoopback } from './http-settings.js';
import { FETCH_TIMEOUT_MS } from './oauth.js';

export class OAuthDiscoveryError extends Error {
  override name = 'OAuthDiscoveryError';
}

export interface SignInEndpoints {
  authorization: URL;
  token: URL;
}

export interface AuthorizationServer {
  jwksUrl: string;
  /** Null when no sign-in is configured, or when the metadata does not allow one (`warning` says why). */
  signIn: SignInEndpoints | null;
  warning?: string;
}

interface Metadata {
  issuer?: unknown;
  jwks_uri?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
}

const SIGN_IN_OFF = 'OIDC sign-in to the approval pages is off; the token form stays';

/**
 * The keys' URL (the configured one, else the metadata's `jwks_uri`) and the sign-in endpoints.
 * The metadata is read only when one of them needs it. A server that cannot check tokens must not
 * start; one that cannot offer the sign-in starts with the token form alone and a warning.
 */
export async function discoverAuthorizationServer(settings: OAuthSettings): Promise<AuthorizationServer> {
  const { jwksUrl, login } = settings;
  if (jwksUrl && !login) return { jwksUrl, signIn: null };
  const found = await readMetadata(settings.issuer);
  if ('unreadable' in found) {
    const why = `Could not read the authorization server's metadata for ${settings.issuer} (${found.unreadable})`;
    if (!jwksUrl) throw new OAuthDiscoveryError(`${why}: check --oauth-issuer, or set --oauth-jwks-url.`);
    return { jwksUrl, signIn: null, warning: `${why}: ${SIGN_IN_OFF}.` };
  }
  const { url, metadata } = found;
  const keys = jwksUrl ?? authorityUrl(metadata.jwks_uri)?.href;
  if (!keys) {
    if (typeof metadata.jwks_uri !== 'string') throw new OAuthDiscoveryError(`The metadata at ${url} has no jwks_uri: set --oauth-jwks-url.`);
    throw new OAuthDiscoveryError(`The issuer's jwks_uri ${metadata.jwks_uri} is not an https URL.`);
  }
  if (!login) return { jwksUrl: keys, signIn: null };
  const authorization = authorityUrl(metadata.authorization_endpoint);
  const token = authorityUrl(metadata.token_endpoint);
  if (!authorization || !token) {
    return { jwksUrl: keys, signIn: null, warning: `The metadata at ${url} has no usable authorization_endpoint and token_endpoint (https, or http on loopback): ${SIGN_IN_OFF}.` };
  }
  return { jwksUrl: keys, signIn: { authorization, token } };
}

/** The first metadata document found; one that names another issuer stops the server (RFC 8414 §3.3). */
async function readMetadata(issuer: string): Promise<{ url: string; metadata: Metadata } | { unreadable: string }> {
  const tried: string[] = [];
  for (const url of metadataUrls(issuer)) {
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
    const metadata = (await response.json().catch(() => null)) as Metadata | null;
    if (metadata?.issuer !== issuer) throw new OAuthDiscoveryError(`The metadata at ${url} names issuer ${JSON.stringify(metadata?.issuer)}, not ${issuer}: check --oauth-issuer.`);
    return { url, metadata };
  }
  return { unreadable: tried.join('; ') };
}

/** RFC 8414 puts the well-known part before the issuer's path; OpenID Connect after it. */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const urls = [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
  if (path) urls.push(`${url.origin}/.well-known/openid-configuration${path}`);
  return urls;
}

/**
 * An endpoint of the authorization server: https, or plain http on loopback (a local test authority).
 * Its host must be a plain name or address: the authorization endpoint's origin goes into the login
 * page's Content-Security-Policy, where a character like ";" would end the directive.
 */
function authorityUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || !URL.canParse(value)) return null;
  const url = new URL(value);
  if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname)) return null;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)) ? url : null;
}
