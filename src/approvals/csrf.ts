// CSRF tokens: an HMAC-SHA256, under a key only this process knows, of what the form is bound to
// (the browser session and the plan). Nothing is stored; a token is checked by computing it again
// and comparing in constant time. A token for one plan or one session is worthless for another.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class CsrfTokens {
  constructor(private readonly key: Buffer) {}

  tokenFor(...boundTo: string[]): string {
    // JSON keeps the parts apart: ("a", "b:c") and ("a:b", "c") must not share a token.
    return createHmac('sha256', this.key).update(JSON.stringify(boundTo)).digest('base64url');
  }

  verify(token: string | undefined, ...boundTo: string[]): boolean {
    if (token === undefined) return false;
    const expected = Buffer.from(this.tokenFor(...boundTo));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
