// The scrubber alone: every form in which an endpoint may hand a secret back is blanked, and
// text without secrets comes through unchanged.
import { describe, expect, it } from 'vitest';
import { REDACTED, SecretScrubber } from '../../src/http/scrub.js';
import { CANARY, CANARY_VALUES, expectNoCanary } from '../helpers.js';

const scrubber = new SecretScrubber(CANARY_VALUES);
const LONG_TOKEN = `${'gQpjbi1ub3J0aC00'.repeat(90)}Xz+/9A==`; // an STS-sized token, 1,448 characters

const percentAll = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
const unicodeEscapeAll = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('SecretScrubber', () => {
  it('blanks each secret as sent, wherever it stands', () => {
    for (const secret of CANARY_VALUES) {
      const text = `before ${secret} after; again:${secret}`;
      const scrubbed = scrubber.scrub(text);
      expect(scrubbed).toBe(`before ${REDACTED} after; again:${REDACTED}`);
    }
  });

  it('blanks the access key inside an echoed Authorization header, and the signature given for the request', () => {
    const signature = 'a'.repeat(20) + '0123456789abcdef'.repeat(2) + 'b'.repeat(12);
    const authorization = `SDK-HMAC-SHA256 Access=${CANARY.ak}, SignedHeaders=host;x-sdk-date, Signature=${signature}`;
    const scrubbed = scrubber.with([signature]).scrub(`{"error_msg":"bad header: authorization=${authorization}"}`);
    expect(scrubbed).toBe(`{"error_msg":"bad header: authorization=SDK-HMAC-SHA256 Access=${REDACTED}, SignedHeaders=host;x-sdk-date, Signature=${REDACTED}"}`);
    expect(scrubbed).not.toContain(authorization);
    // Without the signature the scrubber knows only the keys.
    expect(scrubber.scrub(authorization)).toContain(signature);
  });

  it('blanks URL-encoded forms, upper- or lower-case hex, partly or wholly encoded', () => {
    const token = 'abc/def+ghi=jklmnopQRSTUVWX';
    const s = new SecretScrubber([token]);
    for (const encoded of [encodeURIComponent(token), encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), percentAll(token)]) {
      expect(s.scrub(`x-security-token=${encoded}&next=1`)).toBe(`x-security-token=${REDACTED}&next=1`);
    }
    expect(new SecretScrubber(CANARY_VALUES).scrub(`q=${percentAll(CANARY.sk)}`)).toBe(`q=${REDACTED}`);
  });

  it('blanks JSON-escaped forms, and the body stays valid JSON with the same shape', () => {
    const token = 'abc/def+ghi=jklmnopQRSTUVWX';
    const s = new SecretScrubber([token, ...CANARY_VALUES]);
    const bodies = [
      JSON.stringify({ error_msg: `token ${token}`, code: 'X' }).replace(/\//g, '\\/'),
      `{"error_msg":"echo ${unicodeEscapeAll(CANARY.securityToken)}","code":"X"}`,
      `{"error_msg":"echo ${unicodeEscapeAll(CANARY.ak).slice(0, 60)}${CANARY.ak.slice(10)}","code":"X"}`,
    ];
    for (const body of bodies) {
      const scrubbed = s.scrub(body);
      const parsed = JSON.parse(scrubbed) as { error_msg: string; code: string };
      expect(parsed.code).toBe('X');
      expect(parsed.error_msg).toContain(REDACTED);
      expectNoCanary(parsed.error_msg);
      expect(parsed.error_msg).not.toContain(token);
    }
  });

  it('blanks numeric HTML character references', () => {
    const html = `<td>${[...CANARY.sk].map((c) => `&#${c.charCodeAt(0)};`).join('')}</td><td>${[...CANARY.ak].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')}</td>`;
    expect(scrubber.scrub(html)).toBe(`<td>${REDACTED}</td><td>${REDACTED}</td>`);
  });

  it('blanks a secret cut short (a prefix or suffix of 16 characters or more), and long runs from the middle of a long token', () => {
    const s = new SecretScrubber([LONG_TOKEN, ...CANARY_VALUES]);
    expect(s.scrub(`token=${CANARY.securityToken.slice(0, 16)}…`)).toBe(`token=${REDACTED}…`);
    expect(s.scrub(`…${CANARY.sk.slice(-16)}.`)).toBe(`…${REDACTED}.`);
    expect(s.scrub(`X-Security-Token: ${LONG_TOKEN.slice(0, 100)}... (truncated)`)).toBe(`X-Security-Token: ${REDACTED}... (truncated)`);
    const middle = LONG_TOKEN.slice(500, 700);
    expect(s.scrub(`[${middle}]`)).toBe(`[${REDACTED}]`);
  });

  it('leaves text without secrets unchanged, escapes and all', () => {
    const texts = [
      '{"error_code":"ER.04041001","error_msg":"The enterprise router does not exist.","request_id":"9a2f"}',
      '<html><head><title>502 Bad Gateway</title></head><body>50% of &#60;nothing&#62; \\u0041</body></html>',
      'CANA short pieces: CANARYAK7Q3Z canary-sk canary-security',
      '',
    ];
    for (const text of texts) expect(scrubber.scrub(text)).toBe(text);
  });

  it('does not look for values too short to be keys', () => {
    const s = new SecretScrubber(['abc', undefined, '']);
    expect(s.scrub('abc abc')).toBe('abc abc');
  });

  it('scrubs header values and keeps their names', () => {
    const headers = scrubber.scrubHeaders({ 'x-echo-token': CANARY.securityToken, 'retry-after': '3' });
    expect(headers).toEqual({ 'x-echo-token': REDACTED, 'retry-after': '3' });
  });
});
