// The approval pages' cookies: HttpOnly (no script reads them), scoped by path, Secure when the
// public URL is https, each carrying only a random value. The browser session's is SameSite=Strict
// (no other site's page makes the browser send it); the OIDC sign-in's state cookie must be Lax, as
// the authorization server sends the browser back with a cross-site top-level GET.

export const COOKIE_PATH = '/approvals';

export interface CookieKind {
  /** The name over plain http; over https it gets the `__Secure-` prefix. */
  name: string;
  sameSite: 'Strict' | 'Lax';
  path: string;
}

export const BROWSER_SESSION: CookieKind = { name: 'er-approvals', sameSite: 'Strict', path: COOKIE_PATH };

export class SessionCookie {
  /** `__Secure-` makes browsers refuse the cookie unless it came over https with Secure. */
  readonly name: string;

  constructor(
    private readonly secure: boolean,
    private readonly kind: CookieKind = BROWSER_SESSION,
  ) {
    this.name = secure ? `__Secure-${kind.name}` : kind.name;
  }

  set(value: string, maxAgeSeconds: number): string {
    return this.line(value, Math.max(0, Math.floor(maxAgeSeconds)));
  }

  cleared(): string {
    return this.line('', 0);
  }

  /** The value the request's Cookie header carries for this cookie, if any. */
  read(header: string | undefined): string | undefined {
    for (const part of (header ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  private line(value: string, maxAgeSeconds: number): string {
    return `${this.name}=${value}; HttpOnly; SameSite=${this.kind.sameSite}; Path=${this.kind.path}; Max-Age=${maxAgeSeconds}${this.secure ? '; Secure' : ''}`;
  }
}
