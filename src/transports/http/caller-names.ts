// The names callers get over HTTP. Each starts with where the identity comes from, so one source
// can never produce a name another source produces:
//
//   token:<name>          a static token; names are [A-Za-z0-9._@-] (tokens.ts), never ':' or '#'
//   jwt:<issuer>#<sub>    a JWT; the issuer has no '#' (http-settings.ts refuses one), so the first
//                         '#' ends it, and the subject is escaped (below)
//   http:loopback         everyone on a loopback server without authentication
//
// Before this, a static token named alice and a JWT with sub=alice were one caller: they could use
// each other's sessions and plans, approve each other's changes and shared one rate limit.

export const LOOPBACK_CALLER = 'http:loopback';

export function staticTokenCaller(name: string): string {
  return `token:${name}`;
}

export function jwtCaller(issuer: string, subject: string): string {
  return `jwt:${issuer}#${escapeSubject(subject)}`;
}

/**
 * A subject as it can be shown: '%', white space, control, format (bidirectional overrides,
 * zero-width characters), private-use and unassigned characters are percent-encoded (UTF-8
 * bytes), lone surrogates as %uXXXX. '%' itself being encoded, two subjects never share an
 * escaped form, and no subject can make its name look like another on a page or in a log.
 */
export function escapeSubject(subject: string): string {
  return subject.replace(/[%\p{C}\p{Z}]/gu, (char) => {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) return `%u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    return [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  });
}
