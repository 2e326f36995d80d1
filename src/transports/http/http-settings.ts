// What `serve --http` is told by its flags and environment: where to listen, who may call, and
// the limits. Parsed strictly at start: a setting that cannot be read stops the server, and so
// does listening beyond loopback with nobody to check callers.
import { type Setting, settingLabel, SETTINGS } from '../../settings.js';
import { PrivateFileError, readPrivateFile } from './private-file.js';
import { loadTokenFile, type StaticToken, TokenFileError } from './tokens.js';

/** Requests bodies past this are answered 413 without being read further. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface OAuthSettings {
  /** The authorization server's issuer identifier, compared exactly with each token's `iss`. */
  issuer: string;
  /** Compared with each token's `aud`. */
  audience: string;
  /** Where the signing keys are; absent when they are found through the issuer's metadata. */
  jwksUrl?: string;
  /** People sign in to the approval pages at the authorization server; absent: with a token only. */
  login?: OidcLoginSettings;
}

/** This server as an OAuth client of the issuer, for the approval pages' sign-in. */
export interface OidcLoginSettings {
  clientId: string;
  /** Absent for a public client (PKCE alone). A secret: never logged or shown. */
  clientSecret?: string;
  /** Asked for at sign-in; the access token's own scopes are what count. */
  scopes: string[];
}

export interface HttpSettings {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The MCP endpoint's URL as clients reach it (behind a proxy: the proxy's); else derived after listening. */
  publicUrl?: URL;
  /** Host header names accepted (port ignored), lower case. */
  allowedHosts: string[];
  /** Origin headers accepted exactly; null: an origin whose host name is an allowed host. */
  allowedOrigins: string[] | null;
  tokens: StaticToken[] | null;
  oauth: OAuthSettings | null;
  /** Requests per minute for each caller. */
  rateLimitPerMinute: number;
  sessionIdleMs: number;
  maxSessions: number;
  /** The share of `maxSessions` one caller may hold, so that one caller cannot lock the others out. */
  maxSessionsPerCaller: number;
}

export class HttpSettingsError extends Error {
  override name = 'HttpSettingsError';
}

/** A setting's raw value: its flag if given, else its environment variable. */
export type ReadSetting = (flag: string, variable: string) => string | undefined;

/** A row of the settings table through `read`; a variable-only setting is asked for with an empty flag, which no command line sets. */
function readRow(read: ReadSetting, setting: Setting): string | undefined {
  return read(setting.flag ?? '', setting.env ?? '');
}

const S = SETTINGS;
/** A client secret is a short string; a file much larger than one is the wrong file. */
const MAX_SECRET_FILE_BYTES = 4096;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function parseHttpSettings(read: ReadSetting): HttpSettings {
  const host = (readRow(read, S.host) ?? S.host.default).trim();
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new HttpSettingsError(`${settingLabel(S.host)} "${host}" is not a host name or IP address.`);
  const port = wholeNumber(S.httpPort, readRow(read, S.httpPort), S.httpPort.default, S.httpPort.value);
  const publicUrl = parsePublicUrl(readRow(read, S.httpPublicUrl));

  const tokensPath = readRow(read, S.httpTokens);
  let tokens: StaticToken[] | null = null;
  if (tokensPath !== undefined) {
    try {
      tokens = loadTokenFile(tokensPath.trim());
    } catch (error) {
      if (error instanceof TokenFileError) throw new HttpSettingsError(error.message);
      throw error;
    }
  }
  const oauth = parseOAuth(read);
  if (!isLoopback(host) && !tokens && !oauth) {
    throw new HttpSettingsError(
      `Refusing to listen on ${host} without authentication: anyone who can reach it could change your routing. ` +
        'Configure --http-tokens FILE or --oauth-issuer URL with --oauth-audience, or listen on 127.0.0.1.',
    );
  }

  const maxSessions = wholeNumber(S.httpMaxSessions, readRow(read, S.httpMaxSessions), S.httpMaxSessions.default, S.httpMaxSessions.value);
  const allowedHosts = parseAllowedHosts(readRow(read, S.httpAllowedHosts), host, publicUrl);
  const allowedOrigins = parseList(readRow(read, S.httpAllowedOrigins), settingLabel(S.httpAllowedOrigins));
  for (const origin of allowedOrigins ?? []) {
    if (originOf(origin) !== origin) {
      throw new HttpSettingsError(`--http-allowed-origins: "${origin}" is not an origin (scheme://host[:port], nothing after it).`);
    }
  }
  return {
    host,
    port,
    publicUrl,
    allowedHosts,
    allowedOrigins,
    tokens,
    oauth,
    rateLimitPerMinute: wholeNumber(S.httpRateLimit, readRow(read, S.httpRateLimit), S.httpRateLimit.default, S.httpRateLimit.value),
    sessionIdleMs: 1000 * wholeNumber(S.httpSessionIdleSeconds, readRow(read, S.httpSessionIdleSeconds), S.httpSessionIdleSeconds.default, S.httpSessionIdleSeconds.value),
    maxSessions,
    maxSessionsPerCaller: wholeNumber(
      S.httpMaxSessionsPerCaller,
      readRow(read, S.httpMaxSessionsPerCaller),
      defaultShare(maxSessions),
      // More than the cap would mean nothing; the cap itself is an explicit "no share".
      { min: S.httpMaxSessionsPerCaller.value.min, max: maxSessions, maxIs: `--${S.httpMaxSessions.flag}` },
    ),
  };
}

/**
 * 10 sessions per caller (a person's editors and agents), but never more than half the cap, so
 * that a second caller always finds a place while the cap is 2 or more.
 */
export function defaultShare(maxSessions: number): number {
  return Math.max(1, Math.min(S.httpMaxSessionsPerCaller.default, Math.floor(maxSessions / 2)));
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function parseOAuth(read: ReadSetting): OAuthSettings | null {
  const issuer = readRow(read, S.oauthIssuer)?.trim();
  const audience = readRow(read, S.oauthAudience)?.trim();
  const jwksUrl = readRow(read, S.oauthJwksUrl)?.trim();
  const login = parseLogin(read);
  if (!issuer) {
    if (audience || jwksUrl) throw new HttpSettingsError('--oauth-audience and --oauth-jwks-url need --oauth-issuer (HUAWEICLOUD_ER_MCP_OAUTH_ISSUER).');
    if (login) throw new HttpSettingsError('--oauth-client-id needs --oauth-issuer (HUAWEICLOUD_ER_MCP_OAUTH_ISSUER): people sign in at that authorization server.');
    return null;
  }
  checkAuthorityUrl(settingLabel(S.oauthIssuer), issuer);
  // RFC 8414: an issuer has no query or fragment. The caller names of its tokens (caller-names.ts)
  // rely on it having no '#'.
  if (/[?#]/.test(issuer)) throw new HttpSettingsError(`${settingLabel(S.oauthIssuer)} must not have a query or fragment (no "?" or "#"), got "${issuer}".`);
  // Without an audience any token the issuer signs for any other service would open this one.
  if (!audience) throw new HttpSettingsError('--oauth-issuer needs --oauth-audience (HUAWEICLOUD_ER_MCP_OAUTH_AUDIENCE): the audience your authorization server puts in tokens for this server.');
  if (jwksUrl) checkAuthorityUrl(settingLabel(S.oauthJwksUrl), jwksUrl);
  return { issuer, audience, ...(jwksUrl ? { jwksUrl } : {}), ...(login ? { login } : {}) };
}

/** The sign-in client: its id, its secret if it has one, the scopes it asks for; undefined without an id. */
function parseLogin(read: ReadSetting): OidcLoginSettings | undefined {
  const clientId = readRow(read, S.oauthClientId)?.trim();
  const secretFile = readRow(read, S.oauthClientSecretFile)?.trim();
  // No flag carries the secret itself (a command line is visible to every local user): its row in
  // the settings table has none, so parseArgs refuses --oauth-client-secret and only the variable reaches here.
  const secretVariable = readRow(read, S.oauthClientSecret);
  const scopes = readRow(read, S.oauthLoginScopes);
  if (!clientId) {
    if (secretFile !== undefined || secretVariable !== undefined || scopes !== undefined) {
      throw new HttpSettingsError('--oauth-client-secret-file, HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET and --oauth-login-scopes need --oauth-client-id (HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_ID).');
    }
    return undefined;
  }
  // RFC 6749 A.1: visible ASCII and spaces.
  if (!/^[\x20-\x7E]{1,255}$/.test(clientId)) throw new HttpSettingsError(`${settingLabel(S.oauthClientId)} must be 1-255 printable ASCII characters.`);
  if (secretFile !== undefined && secretVariable !== undefined) {
    throw new HttpSettingsError('Give the client secret once: HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET or --oauth-client-secret-file, not both.');
  }
  const secret = secretFile !== undefined ? readSecretFile(secretFile) : secretVariable === undefined ? undefined : checkSecret(secretVariable.trim(), S.oauthClientSecret.env);
  return { clientId, ...(secret !== undefined ? { clientSecret: secret } : {}), scopes: parseScopes(scopes ?? S.oauthLoginScopes.default) };
}

function readSecretFile(path: string): string {
  const what = `The client secret file ${path} (${settingLabel(S.oauthClientSecretFile)})`;
  try {
    return checkSecret(readPrivateFile(path, what, MAX_SECRET_FILE_BYTES).trim(), what);
  } catch (error) {
    if (error instanceof PrivateFileError) throw new HttpSettingsError(error.message);
    throw error;
  }
}

/** RFC 6749 A.2: visible ASCII and spaces. The message never quotes the value. */
function checkSecret(secret: string, what: string): string {
  if (secret === '') throw new HttpSettingsError(`${what} is empty: give the client secret, or leave it out for a public client.`);
  if (!/^[\x20-\x7E]+$/.test(secret)) throw new HttpSettingsError(`${what} holds characters a client secret cannot have (printable ASCII only).`);
  return secret;
}

/** Space- or comma-separated scope tokens (RFC 6749 §3.3: visible ASCII except the double quote and backslash). */
function parseScopes(value: string): string[] {
  const name = settingLabel(S.oauthLoginScopes);
  const scopes = value.split(/[\s,]+/).filter((s) => s !== '');
  if (scopes.length === 0) throw new HttpSettingsError(`${name} is set but empty.`);
  const bad = scopes.find((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s));
  if (bad !== undefined) throw new HttpSettingsError(`${name}: ${JSON.stringify(bad)} is not a scope (visible ASCII, no quotes or backslashes).`);
  return [...new Set(scopes)];
}

/** Keys and metadata come over https, except from loopback (a local test authority). */
function checkAuthorityUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HttpSettingsError(`${name} "${value}" is not a URL.`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return;
  throw new HttpSettingsError(`${name} must use https:// (plain http:// only for loopback), got "${value}".`);
}

function parsePublicUrl(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new HttpSettingsError(`${settingLabel(S.httpPublicUrl)} "${value}" is not a URL; give the MCP endpoint as clients reach it, e.g. https://er-mcp.example.com/mcp.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HttpSettingsError('--http-public-url must be an http:// or https:// URL.');
  if (url.search || url.hash || url.username) throw new HttpSettingsError('--http-public-url must not carry a query, fragment or user name.');
  return url;
}

/**
 * Explicit names win. Otherwise: the loopback names, the host bound to (unless it is a wildcard)
 * and the public URL's host. A wildcard bind with nothing else would accept any Host header,
 * which is what DNS rebinding needs, so it must be told the names.
 */
function parseAllowedHosts(value: string | undefined, host: string, publicUrl: URL | undefined): string[] {
  const explicit = parseList(value, settingLabel(S.httpAllowedHosts));
  if (explicit) return explicit.map(normalizeHostName);
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  if (wildcard && !publicUrl) {
    throw new HttpSettingsError(
      `Listening on ${host} (every interface) needs the names clients use to reach it: set --http-allowed-hosts a,b (HUAWEICLOUD_ER_MCP_HTTP_ALLOWED_HOSTS) or --http-public-url. Other Host headers are refused (DNS-rebinding protection).`,
    );
  }
  const names = new Set(LOOPBACK_NAMES);
  if (!wildcard) names.add(normalizeHostName(host));
  if (publicUrl) names.add(publicUrl.hostname.toLowerCase());
  return [...names];
}

/** `::1` and `[::1]` name the same host; the Host header always brackets IPv6. */
function normalizeHostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

function parseList(value: string | undefined, name: string): string[] | null {
  if (value === undefined) return null;
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new HttpSettingsError(`${name} is set but empty.`);
  return items;
}

/** The origin of a URL-like string, or null. */
export function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

function wholeNumber(setting: Setting, value: string | undefined, fallback: number, range: { min: number; max?: number; maxIs?: string }): number {
  if (value === undefined || value.trim() === '') return fallback;
  const name = settingLabel(setting);
  // Digits only: Number() alone would also take "1e3", "0x10" or "1.0".
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || (range.max !== undefined && n > range.max)) {
    const bounds = range.max !== undefined ? ` from ${range.min} to ${range.max}${range.maxIs ? ` (${range.maxIs})` : ''}` : ` of at least ${range.min}`;
    throw new HttpSettingsError(`${name} must be a whole number${bounds} (got "${value}").`);
  }
  return n;
}
