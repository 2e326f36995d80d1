// Keeps credentials out of every text taken from a response. A hostile or misconfigured endpoint
// can copy the request's headers into its answer (an error message, an HTML page, a header of its
// own), and may encode them on the way; whatever it copies would travel on into tool results,
// logs, `doctor` and the audit. The HTTP client knows the secrets and what it sent, so it blanks
// them here, before anything above it sees the answer: as sent, URL-encoded, JSON- or
// HTML-escaped, in any letter case, reversed, as hex and as base64 or base64url, whole or cut
// short. The README's "Safety properties" says what is left.
//
// Each way of writing a secret (a "form") is cut into 8-character windows once, when the scrubber
// is made. A text is then read once: every 8th position, its next 8 characters (two 32-bit words
// of a byte copy) are hashed and looked up among those windows; a hit is compared character by
// character and stretched as far as the form goes on. A piece of 16 characters always holds one
// such sample, and the cost stays linear in the text however many forms there are.

export const REDACTED = '[redacted]';

/**
 * Values shorter than this are not looked for: no real key is this short, and blanking every
 * occurrence of a few common characters would wreck the messages the scrubbing protects.
 */
const MIN_SECRET_LENGTH = 8;
/**
 * A piece of a form at least this long (and a whole form of any length) is blanked. Shorter ones
 * are not: at 10 or 12 characters, pieces of a hex or base64 form, or a key's first letters,
 * turn up in ordinary ids and words, and blanking them would wreck the text.
 */
const MIN_PIECE = 16;
/** How often the text is sampled, and how long a sample is: any MIN_PIECE characters hold one whole. */
const SAMPLE = 8;
/**
 * Windows taken from the middle of one form, at most. An STS token runs to kilobytes, its hex
 * form to twice that: its middle is then sampled every `stride` characters (odd, so that the
 * text's samples and the form's meet), which keeps the tables small; a piece from that middle is
 * found from 8·stride + 7 characters on. Prefixes and suffixes always from MIN_PIECE.
 */
const MAX_MIDDLE_WINDOWS = 512;

/**
 * The windows of some forms, in an open-addressing hash table of typed arrays: built for each
 * response (the signature's forms), so it must cost little to make, and looked up at every sample,
 * where most look-ups end at the first slot, empty.
 */
interface Table {
  /** In lower case, as the text is searched. */
  forms: string[];
  /** The hash of the window in each slot. */
  hashes: Int32Array;
  /** The window in each slot as form · 2²⁴ + offset + 1; 0 for an empty slot. */
  windows: Int32Array;
  /** Slot count − 1 (a power of two, at least twice the windows). */
  mask: number;
  /** Where a hash's probe starts: its top bits. */
  shift: number;
}

/**
 * Finds secrets in text and replaces them with `[redacted]`. The text is first read with
 * percent-encoding, JSON escapes (`\u0041`, `\/`) and HTML character references (`&#47;`) undone
 * and ASCII letters in lower case; in it, for each secret, are found: the secret as it is, the
 * secret reversed, the hex of its UTF-8 bytes, and its base64 and base64url at each of the three
 * byte alignments it can have inside a larger encoded blob (padding or none). Each whole, or any
 * piece of 16 characters or more (of a kilobyte token's forms: any prefix or suffix of 16, and
 * pieces from the middle a few dozen characters long).
 */
export class SecretScrubber {
  private readonly values = new Set<string>();
  /** For the forms of MIN_PIECE characters or more. */
  private readonly tables: Table[] = [];
  /** Forms shorter than MIN_PIECE (a short secret's), in lower case: only found whole. */
  private readonly short: string[] = [];
  /** Whether a form holds a character a plain JSON escape can stand for (`/`, `"`…). */
  private escapable: boolean;

  constructor(values: Iterable<string | undefined>) {
    for (const value of values) if (value !== undefined && value.length >= MIN_SECRET_LENGTH) this.values.add(value);
    const forms = [...this.values].flatMap(formsOf);
    this.escapable = forms.some((form) => ESCAPABLE.test(form));
    const lowered = forms.map(lower);
    const long = lowered.filter((form) => form.length >= MIN_PIECE);
    for (let i = 0; i < long.length; i += MAX_FORMS_PER_TABLE) this.tables.push(tableOf(long.slice(i, i + MAX_FORMS_PER_TABLE)));
    this.short.push(...lowered.filter((form) => form.length < MIN_PIECE));
  }

  /** This scrubber plus values known only for one request (its signature). */
  with(extra: Iterable<string | undefined>): SecretScrubber {
    const more = new SecretScrubber([...extra].filter((value) => value === undefined || !this.values.has(value)));
    // The keys' table is shared, not copied: it was built once, for the client.
    more.tables.push(...this.tables);
    more.short.push(...this.short);
    for (const value of this.values) more.values.add(value);
    more.escapable ||= this.escapable;
    return more;
  }

  scrub(text: string): string {
    // Undoing escapes only shortens a text: one shorter than any piece looked for holds none.
    if (text.length < (this.short.length > 0 ? MIN_SECRET_LENGTH : this.tables.length > 0 ? MIN_PIECE : Infinity)) return text;
    const view = needsDecoding(text, this.escapable) ? decode(text) : { text: lower(text) };
    const ranges: Array<[number, number]> = [];
    if (this.tables.length > 0) scan(view.text, this.tables, ranges);
    for (const form of this.short) {
      for (let at = view.text.indexOf(form); at !== -1; at = view.text.indexOf(form, at + 1)) ranges.push([at, at + form.length]);
    }
    if (ranges.length === 0) return text;
    const { start, end } = view;
    const original = start && end ? ranges.map(([a, b]): [number, number] => [start[a]!, end[b - 1]!]) : ranges;
    return blank(text, original);
  }

  /** The same header names with scrubbed values. */
  scrubHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) out[name] = this.scrub(value);
    return out;
  }
}

/**
 * The ways an endpoint may write a secret back: as it is (in any case, since the search ignores
 * case), reversed, hex (either case, likewise), and base64 and base64url at each byte alignment.
 * Padding needs no form of its own: it stands after the last character that depends on the
 * secret alone.
 */
function formsOf(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  let reversed = '';
  for (let i = value.length - 1; i >= 0; i--) reversed += value[i];
  // Two zero bytes ahead of the secret: from the 2nd, 1st or 0th of them, it starts 0, 1 or 2 bytes past a boundary.
  const padded = Buffer.alloc(bytes.length + 2);
  bytes.copy(padded, 2);
  const base64 = [0, 1, 2].map((align) => stableBase64(padded.subarray(2 - align), align));
  const base64url = base64.map((form) => form.replace(/\+/g, '-').replace(/\//g, '_'));
  // A signature is hex, whose base64 never holds `+` or `/`: its base64url forms are the same text.
  return [...new Set([value, reversed, bytes.toString('hex'), ...base64, ...base64url])];
}

/**
 * The base64 characters that the secret's bytes alone decide when they start `align` bytes past a
 * 3-byte boundary of a longer encoded blob (`blob` is `align` bytes of anything, then the secret).
 * A character holds 6 bits; the one or two at each end that also hold bits of the neighbouring
 * bytes (or of the padding) differ from blob to blob and are left off, so this text is found
 * inside any blob that holds the secret at that alignment.
 */
function stableBase64(blob: Buffer, align: number): string {
  return blob.toString('base64').slice(Math.ceil((8 * align) / 6), Math.floor((8 * blob.length) / 6));
}

/**
 * A text as the search sees it, forms alike: letters in lower case, so that a secret with its case
 * changed, and hex in either case, are found. Length-preserving, so positions carry over:
 * `toLowerCase` lengthens only `İ` (U+0130), and a text holding one is lowered ASCII letters only
 * (secrets are ASCII).
 */
function lower(text: string): string {
  const lowered = text.toLowerCase();
  return lowered.length === text.length ? lowered : text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function tableOf(forms: string[]): Table {
  // Room for every offset of every form (strided ones take fewer), at most half the slots full.
  const bits = Math.max(6, Math.ceil(Math.log2(2 * forms.reduce((sum, form) => sum + form.length - SAMPLE + 1, 0))));
  const hashes = new Int32Array(2 ** bits);
  const windows = new Int32Array(2 ** bits);
  const mask = 2 ** bits - 1;
  const shift = 32 - bits;
  forms.forEach((form, index) => {
    const last = form.length - SAMPLE;
    const stride = strideOf(last);
    // The window's 8 characters as the two little-endian words the text's byte copy gives, rolled on a character at a time.
    let low = wordAt(form, 0);
    let high = wordAt(form, 4);
    for (let offset = 0; offset <= last; offset++) {
      if (offset > 0) {
        low = (low >>> 8) | ((high & 255) << 24);
        high = (high >>> 8) | ((form.charCodeAt(offset + SAMPLE - 1) & 255) << 24);
      }
      if (offset % stride !== 0 && offset > EDGE && offset < last - EDGE) continue;
      const hash = windowHash(low, high);
      let slot = Math.imul(hash, SPREAD) >>> shift;
      while (windows[slot] !== 0) slot = (slot + 1) & mask;
      hashes[slot] = hash;
      windows[slot] = index * FORM_UNIT + offset + 1;
    }
  });
  return { forms, hashes, windows, mask, shift };
}

/** Forms in one table at most, so that form · FORM_UNIT fits a 32-bit slot. */
const MAX_FORMS_PER_TABLE = 120;
/** Offsets in a form are packed with the form's index below this; forms are far shorter. */
const FORM_UNIT = 2 ** 24;
/** Offsets this close to either end of a form all get a window: a prefix or suffix of MIN_PIECE always holds a sample. */
const EDGE = MIN_PIECE - SAMPLE;

/**
 * Every offset of a form with up to MAX_MIDDLE_WINDOWS windows gets one; a longer form's middle
 * gets one every stride-th character, the stride odd so that it and the text's SAMPLE meet.
 */
function strideOf(last: number): number {
  if (last < MAX_MIDDLE_WINDOWS) return 1;
  const stride = Math.ceil(last / MAX_MIDDLE_WINDOWS);
  return stride % 2 === 0 ? stride + 1 : stride;
}

/** Spreads a hash over the filter's bits (Knuth's multiplicative hashing). */
const SPREAD = 0x2c1b3c6d;

/** Four characters as the little-endian word the text's byte copy holds for them (their low bytes, as latin1 writes them). */
function wordAt(text: string, at: number): number {
  return (text.charCodeAt(at) & 255) | ((text.charCodeAt(at + 1) & 255) << 8) | ((text.charCodeAt(at + 2) & 255) << 16) | ((text.charCodeAt(at + 3) & 255) << 24);
}

function windowHash(low: number, high: number): number {
  const mixed = Math.imul(low, 0x9e3779b1 | 0) ^ Math.imul(high ^ (high >>> 16), 0x85ebca6b | 0);
  return (mixed ^ (mixed >>> 15)) | 0;
}

/**
 * Samples the text every SAMPLE characters and adds [start, end) of every run of MIN_PIECE
 * characters or more that matches a form around a window of it, stretched as far as it matches.
 */
function scan(text: string, tables: Table[], ranges: Array<[number, number]>): void {
  // A byte per character: 8 characters are then two 32-bit reads. Characters beyond latin1 keep
  // their low byte, which can only make a false hit, and hits are compared on the text itself.
  const bytes = Buffer.from(text, 'latin1');
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  // Per table, diagonal (text position − form offset) and form → where the run found on it ends:
  // the further samples of a long run are on the same diagonal and need no second stretch.
  const covered: Array<Map<number, number> | undefined> = [];
  for (let at = 0; at + SAMPLE <= text.length; at += SAMPLE) {
    const hash = windowHash(data.getUint32(at, true), data.getUint32(at + 4, true));
    for (let t = 0; t < tables.length; t++) {
      const { hashes, windows, mask, shift, forms } = tables[t]!;
      // Every window with this hash, repeats and collisions included, is in the run of full slots from here.
      for (let slot = Math.imul(hash, SPREAD) >>> shift; windows[slot] !== 0; slot = (slot + 1) & mask) {
        if (hashes[slot] === hash) stretch(text, at, forms, windows[slot]! - 1, (covered[t] ??= new Map()), ranges);
      }
    }
  }
}

function stretch(text: string, at: number, forms: string[], packed: number, covered: Map<number, number>, ranges: Array<[number, number]>): void {
  const index = Math.floor(packed / FORM_UNIT);
  const offset = packed % FORM_UNIT;
  const form = forms[index]!;
  const key = (at - offset) * forms.length + index;
  if ((covered.get(key) ?? -1) >= at + SAMPLE) return;
  // The hash only says "maybe": the window itself is compared.
  for (let i = 0; i < SAMPLE; i++) if (text.charCodeAt(at + i) !== form.charCodeAt(offset + i)) return;
  let start = at;
  let inForm = offset;
  while (start > 0 && inForm > 0 && text.charCodeAt(start - 1) === form.charCodeAt(inForm - 1)) {
    start -= 1;
    inForm -= 1;
  }
  let end = at + SAMPLE;
  let inFormEnd = offset + SAMPLE;
  while (end < text.length && inFormEnd < form.length && text.charCodeAt(end) === form.charCodeAt(inFormEnd)) {
    end += 1;
    inFormEnd += 1;
  }
  covered.set(key, end);
  if (end - start >= MIN_PIECE) ranges.push([start, end]);
}

/** The text as the search sees it, and where each of its characters came from when that differs. */
interface View {
  text: string;
  /** [start, end) in the original text of each character, when escapes were undone. */
  start?: Int32Array;
  end?: Int32Array;
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
 * Whether any escape in the text can stand for a character of a form. Plain JSON escapes of
 * characters no form holds (`\"`, `\n`) change nothing, and are common: they skip the decoding.
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
 * character they stand for, in lower case, remembering where each character came from. Percent-encoded
 * bytes become one character each: enough for secrets, which are ASCII.
 */
function decode(text: string): View {
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
  return { text: lower(UTF16.decode(codes.subarray(0, n))), start, end };
}

function isHex(text: string, from: number, count: number): boolean {
  if (from + count > text.length) return false;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
