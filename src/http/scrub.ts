// Keeps credentials out of every text taken from a response. A hostile or misconfigured endpoint
// can copy the request's headers into its answer (an error message, an HTML page, a header of its
// own); whatever it copies would travel on into tool results, logs, `doctor` and the audit. The
// HTTP client knows the secrets and what it sent, so it blanks them here, before anything above
// it sees the answer: as sent, URL-encoded, JSON- or HTML-escaped, and cut short.

export const REDACTED = '[redacted]';

/**
 * Values shorter than this are not looked for: no real key is this short, and blanking every
 * occurrence of a few common characters would wreck the messages the scrubbing protects.
 */
const MIN_SECRET_LENGTH = 8;
/** A piece of a secret at least this long (and a whole secret of any length) is blanked. */
const MIN_ANCHOR_LENGTH = 16;
/** Long values (STS tokens run to kilobytes) get longer anchors, so a scan costs at most this many look-ups. */
const MAX_ANCHORS = 16;

interface Anchor {
  offset: number;
  text: string;
}

interface Secret {
  value: string;
  anchors: Anchor[];
}

/** Where each character of the decoded view came from in the original text: [start, end). */
interface DecodedView {
  text: string;
  start: Int32Array;
  end: Int32Array;
}

/**
 * Finds secrets in text and replaces them with `[redacted]`. What is found: a whole secret, any
 * prefix or suffix of it of 16 characters or more, and any other run of at least twice that
 * (anchors are spaced so every such run contains one), in the text as it is and after undoing
 * percent-encoding, JSON escapes (`\u0041`, `\/`) and HTML character references (`&#47;`).
 */
export class SecretScrubber {
  private readonly secrets: Secret[];
  /** Whether a secret holds a character a plain JSON escape can stand for (`/`, `"`…). */
  private escapable: boolean;

  constructor(values: Iterable<string | undefined>) {
    const unique = new Set<string>();
    for (const value of values) if (value !== undefined && value.length >= MIN_SECRET_LENGTH) unique.add(value);
    this.secrets = [...unique].map((value) => ({ value, anchors: anchorsOf(value) }));
    this.escapable = this.secrets.some((s) => ESCAPABLE.test(s.value));
  }

  /** This scrubber plus values known only for one request (its signature). */
  with(extra: Iterable<string | undefined>): SecretScrubber {
    const more = new SecretScrubber(extra);
    const known = new Set(more.secrets.map((s) => s.value));
    more.secrets.push(...this.secrets.filter((s) => !known.has(s.value)));
    more.escapable ||= this.escapable;
    return more;
  }

  scrub(text: string): string {
    if (this.secrets.length === 0 || text.length === 0) return text;
    const view = needsDecoding(text, this.escapable) ? decode(text) : undefined;
    const haystack = view?.text ?? text;
    const ranges: Array<[number, number]> = [];
    for (const secret of this.secrets) findRuns(haystack, secret, ranges);
    if (ranges.length === 0) return text;
    const original = view ? ranges.map(([a, b]): [number, number] => [view.start[a]!, view.end[b - 1]!]) : ranges;
    return blank(text, original);
  }

  /** The same header names with scrubbed values. */
  scrubHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) out[name] = this.scrub(value);
    return out;
  }
}

/** Anchors at every `length` characters plus one ending the value: a run of 2·length−1 holds one whole. */
function anchorsOf(value: string): Anchor[] {
  if (value.length <= MIN_ANCHOR_LENGTH) return [{ offset: 0, text: value }];
  const length = Math.max(MIN_ANCHOR_LENGTH, Math.ceil(value.length / MAX_ANCHORS));
  const anchors: Anchor[] = [];
  for (let offset = 0; offset + length <= value.length; offset += length) anchors.push({ offset, text: value.slice(offset, offset + length) });
  const last = value.length - length;
  if (anchors[anchors.length - 1]!.offset !== last) anchors.push({ offset: last, text: value.slice(last) });
  return anchors;
}

/** Adds [start, end) of every run of `text` that matches the secret around one of its anchors. */
function findRuns(text: string, secret: Secret, ranges: Array<[number, number]>): void {
  const { value } = secret;
  for (const anchor of secret.anchors) {
    for (let at = text.indexOf(anchor.text); at !== -1; at = text.indexOf(anchor.text, at + 1)) {
      let start = at;
      let inSecret = anchor.offset;
      while (start > 0 && inSecret > 0 && text[start - 1] === value[inSecret - 1]) {
        start -= 1;
        inSecret -= 1;
      }
      let end = at + anchor.text.length;
      let inSecretEnd = anchor.offset + anchor.text.length;
      while (end < text.length && inSecretEnd < value.length && text[end] === value[inSecretEnd]) {
        end += 1;
        inSecretEnd += 1;
      }
      ranges.push([start, end]);
    }
  }
}

/** The text with each range (merged where they overlap or touch) replaced by one `[redacted]`. */
function blank(text: string, ranges: Array<[number, number]>): string {
  ranges.sort((x, y) => x[0] - y[0]);
  let out = '';
  let cursor = 0;
  let open: [number, number] | undefined;
  for (const range of ranges) {
    if (open && range[0] <= open[1]) {
      open[1] = Math.max(open[1], range[1]);
      continue;
    }
    if (open) {
      out += text.slice(cursor, open[0]) + REDACTED;
      cursor = open[1];
    }
    open = [range[0], range[1]];
  }
  if (open) {
    out += text.slice(cursor, open[0]) + REDACTED;
    cursor = open[1];
  }
  return out + text.slice(cursor);
}

/**
 * Whether any escape in the text can stand for a character of a secret. Plain JSON escapes of
 * characters no secret holds (`\"`, `\n`) change nothing, and are common: they skip the decoding.
 */
function needsDecoding(text: string, secretsHoldEscapable: boolean): boolean {
  return ENCODED.test(text) || (secretsHoldEscapable && text.includes('\\'));
}

const ENCODED = /%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|&#/;
/** Characters a JSON encoder may write as a two-character escape. */
const ESCAPABLE = /["\\/\b\f\n\r\t]/;

const UTF16 = new TextDecoder('utf-16le');
const [PERCENT, BACKSLASH, AMPERSAND, HASH] = [37, 92, 38, 35];
const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * The text with `%XX`, JSON escapes and numeric HTML references each turned into the one
 * character they stand for, remembering where each character came from. Percent-encoded bytes
 * become one character each: enough for secrets, which are ASCII.
 */
function decode(text: string): DecodedView {
  const codes = new Uint16Array(text.length);
  const start = new Int32Array(text.length);
  const end = new Int32Array(text.length);
  let n = 0;
  const emit = (code: number, from: number, to: number) => {
    codes[n] = code;
    start[n] = from;
    end[n] = to;
    n += 1;
  };
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === PERCENT && isHex(text, i + 1, 2)) {
      emit(parseInt(text.slice(i + 1, i + 3), 16), i, i + 3);
      i += 3;
      continue;
    }
    if (c === BACKSLASH) {
      const next = text[i + 1];
      if (next === 'u' && isHex(text, i + 2, 4)) {
        emit(parseInt(text.slice(i + 2, i + 6), 16), i, i + 6);
        i += 6;
        continue;
      }
      if (next !== undefined && next in JSON_ESCAPES) {
        emit(JSON_ESCAPES[next]!.charCodeAt(0), i, i + 2);
        i += 2;
        continue;
      }
    }
    if (c === AMPERSAND && text.charCodeAt(i + 1) === HASH) {
      const reference = /^&#(?:[xX]([0-9A-Fa-f]{1,6})|(\d{1,7}));/.exec(text.slice(i, i + 11));
      const code = reference ? (reference[1] !== undefined ? parseInt(reference[1], 16) : Number(reference[2])) : Number.NaN;
      if (reference && code <= 0xffff) {
        emit(code, i, i + reference[0].length);
        i += reference[0].length;
        continue;
      }
    }
    emit(c, i, i + 1);
    i += 1;
  }
  return { text: UTF16.decode(codes.subarray(0, n)), start, end };
}

function isHex(text: string, from: number, count: number): boolean {
  if (from + count > text.length) return false;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
