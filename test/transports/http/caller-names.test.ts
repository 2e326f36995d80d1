// The names HTTP callers get: one source can never produce a name another source produces, and a
// JWT subject cannot make its name look like someone else's.
import { describe, expect, it } from 'vitest';
import { escapeSubject, jwtCaller, LOOPBACK_CALLER, staticTokenCaller } from '../../../src/transports/http/caller-names.js';
import { parseTokenLines } from '../../../src/transports/http/tokens.js';
import { sha256 } from './harness.js';

const ISSUER = 'https://as.example.com/tenant';

describe('caller names', () => {
  it('name the source: a static token, a JWT (with its issuer) and the loopback user', () => {
    expect(staticTokenCaller('alice')).toBe('token:alice');
    expect(jwtCaller(ISSUER, 'alice')).toBe(`jwt:${ISSUER}#alice`);
    expect(LOOPBACK_CALLER).toBe('http:loopback');
    expect(jwtCaller(ISSUER, 'alice')).not.toBe(staticTokenCaller('alice'));
  });

  it('keep readable subjects as they are', () => {
    for (const subject of ['alice', 'alice@example.com', '00u1a2b3c4D5e6F7g8h9', 'auth0|5f7c8ec7c33c6c004bbafe82', 'ナオミ', 'spiffe://team/bot']) {
      expect(escapeSubject(subject)).toBe(subject);
    }
  });

  it('escape what could mislead: %, white space, controls, bidirectional and zero-width characters, lone surrogates', () => {
    expect(escapeSubject('50%')).toBe('50%25');
    expect(escapeSubject('a b')).toBe('a%20b');
    expect(escapeSubject('a\nb\r\t\u0000')).toBe('a%0Ab%0D%09%00');
    expect(escapeSubject('evil\u202Etxt.exe')).toBe('evil%E2%80%AEtxt.exe');
    expect(escapeSubject('al\u200Bice')).toBe('al%E2%80%8Bice');
    expect(escapeSubject('\u00A0')).toBe('%C2%A0');
    expect(escapeSubject('\uD800x\uDC00')).toBe('%uD800x%uDC00');
  });

  it('never give two subjects one name', () => {
    const subjects = ['a b', 'a%20b', 'a%2520b', 'a\u00A0b', 'a%C2%A0b', '\uD800', '%uD800', '%25uD800', 'x#y', 'x', 'x#', '#y', 'token:alice', 'alice', ''];
    const names = subjects.map((s) => jwtCaller(ISSUER, s));
    expect(new Set(names).size).toBe(subjects.length);
    // Whatever the subject, the name says it is a JWT of this issuer.
    for (const name of names) expect(name.startsWith(`jwt:${ISSUER}#`)).toBe(true);
  });

  it('a static token name cannot hold the characters that separate a source from a name', () => {
    for (const name of ['token:alice', 'jwt:x#alice', 'http:loopback', 'a#b', 'a b']) {
      expect(() => parseTokenLines(`${name} ${sha256(name)} er:read`)).toThrow();
    }
  });
});
