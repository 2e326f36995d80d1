// The browser session's cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
// page makes the browser send it), scoped to the approval pages, Secure when the public URL is
// https. It carries only the session's random id.

export const COOKIE_PATH = '/approvals';

export class SessionCookie {
  /** `__Secure-` makes browsers refuse the cookie unless it came over https with Secure. */
  readonly name: string;

  constructor(private readonly secure: boolean) {
    this.name = secure ? '__Secure-er-approvals' : 'er-approvals';
  }

  set(sessionId: string, maxAgeSeconds: number): string {
    return this.line(sessionId, Math.max(0, Math.floor(maxAgeSeconds)));
  }

  cleared(): string {
    return this.line('', 0);
  }

  /** The session id the request's Cookie header carries, if any. */
  read(header: string | undefined): string | undefined {
    for (const part of (header ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  private line(value: string, maxAgeSeconds: number): string {
    return `${this.name}=${value}; HttpOnly; SameSite=Strict; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}${this.secure ? '; Secure' : ''}`;
  }
}
