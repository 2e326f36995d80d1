// The scrubber alone: every form in which an endpoint may hand a secret back is blanked, and
// text without secrets comes through unchanged (the emulator's answers included).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/emulator/emulator.js';
import { generatedTopology } from '../../src/emulator/topology.js';
import { HttpClient, type HttpRequest } from '../../src/http/http-client.js';
import { REDACTED, SecretScrubber } from '../../src/http/scrub.js';
import { CANARY, CANARY_TOKEN_B64, CANARY_VALUES, encodedForms, expectNoCanary, expectNoEncoded, startTestEmulator } from '../helpers.js';

const scrubber = new SecretScrubber(CANARY_VALUES);
const LONG_TOKEN = `${'gQpjbi1ub3J0aC00'.repeat(90)}Xz+/9A==`; // an STS-sized token, 1,448 characters

/** A request signature: 64 hex digits, different for every request. */
const SIGNATURE = createHash('sha256').update('a canonical request').digest('hex');
/** An STS-sized token that does not repeat itself (LONG_TOKEN does, every 16 characters). */
const RANDOM_TOKEN = Array.from({ length: 19 }, (_, i) => createHash('sha512').update(`token ${i}`).digest('base64')).join('').slice(0, 1600);

const bytesOf = (text: string) => Buffer.from(text, 'utf8');
const base64 = (text: string, { url = false, padded = true } = {}) => {
  const encoded = bytesOf(text).toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
  return padded ? encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '=') : encoded;
};
const BASE64_VARIANTS = [
  { url: false, padded: true },
  { url: false, padded: false },
  { url: true, padded: true },
  { url: true, padded: false },
];
const hex = (text: string) => bytesOf(text).toString('hex');
/** A text as a regular expression that matches it alone. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const reversed = (text: string) => [...text].reverse().join('');
const swapCase = (text: string) => [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');

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

describe('SecretScrubber: secrets re-encoded', () => {
  /** The keys, a token whose base64url differs from its base64 and a kilobyte one; and one request's signature. */
  const all = new SecretScrubber([...CANARY_VALUES, CANARY_TOKEN_B64, RANDOM_TOKEN]).with([SIGNATURE]);
  const SECRETS = [...CANARY_VALUES, CANARY_TOKEN_B64, SIGNATURE];

  it('is tried on base64 that holds + and / where base64url has - and _', () => {
    for (const form of encodedForms(CANARY_TOKEN_B64).slice(3)) expect(form).toMatch(/[+/_-]/);
    expect(base64(CANARY_TOKEN_B64, { url: true })).not.toBe(base64(CANARY_TOKEN_B64).replace(/=+$/, ''));
  });

  it('blanks base64 and base64url of each secret, padded or not: at most the padding and a last character partly made of it are left', () => {
    for (const secret of SECRETS) {
      for (const variant of BASE64_VARIANTS) {
        const scrubbed = all.scrub(`{"blob":"${base64(secret, variant)}"}`);
        expect(scrubbed).toMatch(/^\{"blob":"\[redacted\][A-Za-z0-9+/_-]?=*"\}$/);
        expectNoEncoded([secret], scrubbed);
      }
    }
  });

  it('blanks base64 of a secret inside a larger blob at each of the three byte alignments, and only that part of the blob', () => {
    for (const secret of [CANARY.ak, CANARY_TOKEN_B64, SIGNATURE]) {
      for (const align of [0, 1, 2]) {
        // A document carrying the secret (as a JWT or a log line would), its opening padded to put the secret `align` bytes past a 3-byte boundary.
        let head = '{"pad":"","authorization":"';
        while (head.length % 3 !== align) head = head.replace('"pad":"', '"pad":"p');
        const document = `${head}${secret}","date":"20240501T080000Z"}`;
        for (const variant of BASE64_VARIANTS) {
          const encoded = base64(document, variant);
          const scrubbed = all.scrub(`data=${encoded}&next=1`);
          expectNoEncoded([secret], scrubbed);
          // The groups of 3 bytes wholly before and after the secret are still there; of the two
          // groups the secret shares with them, at most the 3 characters that mix in their bits.
          const before = encoded.slice(0, 4 * Math.floor(head.length / 3));
          const after = encoded.slice(4 * Math.ceil((head.length + secret.length) / 3));
          expect(scrubbed).toMatch(new RegExp(`^data=${literal(before)}[\\w+/-]{0,3}\\[redacted\\][\\w+/-]{0,3}${literal(after)}&next=1$`));
        }
      }
    }
  });

  it('blanks hex of each secret, in lower or upper case, alone or inside a longer hex dump', () => {
    const head = hex('GET / HTTP/1.1\r\nX-Echo: ');
    const tail = hex('\r\nHost: er\r\n\r\n');
    for (const secret of SECRETS) {
      for (const cased of [(t: string) => t, (t: string) => t.toUpperCase()]) {
        expect(all.scrub(`hex=${cased(hex(secret))}.`)).toBe(`hex=${REDACTED}.`);
        expect(all.scrub(`dump ${cased(head)}${cased(hex(secret))}${cased(tail)}`)).toBe(`dump ${cased(head)}${REDACTED}${cased(tail)}`);
      }
    }
  });

  it('blanks a secret with its case changed', () => {
    const alternating = (t: string) => [...t].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
    for (const secret of [...SECRETS, RANDOM_TOKEN]) {
      for (const changed of [secret.toUpperCase(), secret.toLowerCase(), swapCase(secret), alternating(secret)]) {
        expect(all.scrub(`<b>${changed}</b>`)).toBe(`<b>${REDACTED}</b>`);
        expect(all.scrub(`<b>${changed.slice(0, 16)}…</b>`)).toBe(`<b>${REDACTED}…</b>`);
      }
    }
  });

  it('blanks a secret written backwards', () => {
    for (const secret of [...SECRETS, RANDOM_TOKEN]) {
      expect(all.scrub(`<b>${reversed(secret)}</b>`)).toBe(`<b>${REDACTED}</b>`);
      expect(all.scrub(`<b>…${reversed(secret).slice(-16)}</b>`)).toBe(`<b>…${REDACTED}</b>`);
    }
  });

  it('blanks encodings inside encodings: base64 URL-encoded or JSON-escaped, hex as \\u escapes', () => {
    const secret = 'k9?>~~Zq-abc>>>?0123';
    const s = new SecretScrubber([secret]);
    const encoded = base64(secret);
    expect(encoded).toMatch(/[+/]/);
    const urlEncoded = s.scrub(`q=${encodeURIComponent(encoded)}&x=1`);
    expect(urlEncoded).toContain(REDACTED);
    expectNoEncoded([secret], urlEncoded, decodeURIComponent(urlEncoded));
    const escaped = s.scrub(`{"blob":"${encoded.replace(/\//g, '\\/')}"}`);
    expectNoEncoded([secret], escaped, (JSON.parse(escaped) as { blob: string }).blob);
    expect(s.scrub(`{"h":"${unicodeEscapeAll(hex(secret))}"}`)).toBe(`{"h":"${REDACTED}"}`);
  });

  it('blanks any piece of 16 characters of any form, wherever in the text it stands', () => {
    for (const secret of SECRETS) {
      for (const form of encodedForms(secret)) {
        for (let from = 0; from + 16 <= form.length; from += 1) {
          // Each piece at 8 different positions: the text is sampled every 8 characters.
          for (let lead = 0; lead < 8; lead += 1) {
            const dots = '.'.repeat(lead);
            expect(all.scrub(`${dots}(${form.slice(from, from + 16)})`)).toBe(`${dots}(${REDACTED})`);
          }
        }
      }
    }
  });

  it('blanks, in each form of a kilobyte token, the whole, any prefix or suffix of 16, and any piece of 80', () => {
    const s = new SecretScrubber([RANDOM_TOKEN]);
    for (const form of encodedForms(RANDOM_TOKEN)) {
      expect(form.length).toBeGreaterThan(1500);
      expect(s.scrub(`(${form})`)).toBe(`(${REDACTED})`);
      expect(s.scrub(`(${form.slice(0, 16)})`)).toBe(`(${REDACTED})`);
      expect(s.scrub(`(${form.slice(-16)})`)).toBe(`(${REDACTED})`);
      for (let from = 0; from + 80 <= form.length; from += 13) expect(s.scrub(`(${form.slice(from, from + 80)})`)).toBe(`(${REDACTED})`);
    }
  });

  it('finds them among text beyond ASCII, and blanks exactly them (İ lengthens in lower case, emoji are two code units)', () => {
    for (const around of ['İstanbul', '上海 😀', 'Ǆ ß ẞ K']) {
      const text = `${around} ${CANARY.ak.toLowerCase()} ${around} ${hex(CANARY.sk).toUpperCase()} ${around}`;
      expect(all.scrub(text)).toBe(`${around} ${REDACTED} ${around} ${REDACTED} ${around}`);
    }
  });

  it('leaves pieces shorter than 16 characters: at that length they turn up in ordinary ids and words', () => {
    for (const form of encodedForms(CANARY.securityToken)) {
      const piece = `(${form.slice(3, 18)})`;
      expect(all.scrub(piece)).toBe(piece);
    }
  });
});

describe('SecretScrubber: the ER API answers as they are', () => {
  /** The bodies and header values of reads and writes a client makes, and errors it meets, against the emulator of `topology`. */
  async function answers(topology?: ReturnType<typeof generatedTopology>): Promise<string[]> {
    const emulator = await startTestEmulator(topology ? { topology } : {});
    const http = new HttpClient({ endpoint: emulator.url, credentials: CANARY, retry: { maxAttempts: 1 } });
    const { projectId, region, routers, routeTables, attachments } = emulator.store.topology;
    const er = `/v3/${projectId}/enterprise-router`;
    const router = routers[0]!.id;
    const table = routeTables[0]!.id;
    const requests: Array<HttpRequest & { status: number }> = [
      { status: 200, method: 'GET', path: '/v3/projects', query: { name: region } },
      { status: 200, method: 'GET', path: `${er}/instances` },
      { status: 200, method: 'GET', path: `${er}/instances/${router}` },
      { status: 200, method: 'GET', path: `${er}/${router}/route-tables` },
      { status: 200, method: 'GET', path: `${er}/${router}/route-tables/${table}` },
      { status: 200, method: 'GET', path: `${er}/${router}/attachments`, query: { limit: 2000 } },
      { status: 200, method: 'GET', path: `${er}/${router}/attachments/${attachments[0]!.id}` },
      { status: 200, method: 'GET', path: `${er}/${router}/route-tables/${table}/associations` },
      { status: 200, method: 'GET', path: `${er}/${router}/route-tables/${table}/propagations` },
      { status: 200, method: 'GET', path: `${er}/route-tables/${table}/routes` },
      { status: 202, method: 'POST', path: `${er}/${router}/route-tables/${table}/associate`, headers: { 'X-Client-Token': 'scrub-test' }, json: { attachment_id: attachments[0]!.id } },
      { status: 404, method: 'GET', path: `${er}/instances/no-such-router` },
      { status: 400, method: 'GET', path: `${er}/${router}/attachments`, query: { limit: 0 } },
    ];
    const texts: string[] = [];
    try {
      for (const { status, ...request } of requests) {
        const response = await http.request({ ...request, headers: { 'X-Project-Id': projectId, ...request.headers } });
        expect([request.path, response.status]).toEqual([request.path, status]);
        texts.push(response.body, ...Object.values(response.headers));
      }
    } finally {
      await http.close();
      await emulator.close();
    }
    return texts;
  }

  it('comes through the HTTP client unscrubbed, and unchanged by a scrubber that knows a token and a signature too', async () => {
    const texts = [...(await answers()), ...(await answers(generatedTopology({ attachments: 300 })))];
    expect(texts.join('').length).toBeGreaterThan(50_000);
    // The emulator echoes nothing secret: any blank in what the client returned would be a false positive.
    for (const text of texts) expect(text).not.toContain(REDACTED);
    const strict = new SecretScrubber([...CANARY_VALUES, RANDOM_TOKEN, LONG_TOKEN, SANDBOX_CREDENTIALS.ak, SANDBOX_CREDENTIALS.sk]).with([SIGNATURE]);
    for (const text of texts) expect(strict.scrub(text)).toBe(text);
  });
});
