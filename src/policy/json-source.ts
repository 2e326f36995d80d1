// JSON (RFC 8259) read into a positioned tree: JSON.parse says neither where a value was written
// nor that a key came twice (it keeps the last), and a policy's messages need both.
import type { ParsedSource, Position, SourceEntry, SourceNode } from './source-tree.js';

/** Nesting deeper than any policy needs is refused before it could exhaust the stack. */
const MAX_DEPTH = 64;

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

export function readJson(text: string): ParsedSource {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionOf = (offset: number): Position => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };

  let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = offset;
    WHITESPACE.exec(text);
    offset = WHITESPACE.lastIndex;
  };
  const describe = (at: number) => (at >= text.length ? 'the end of the file' : `${JSON.stringify(text.slice(at, at + 12))}`);
  const token = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = offset;
    const match = pattern.exec(text);
    if (!match) return undefined;
    offset = pattern.lastIndex;
    return match[0];
  };

  const value = (depth: number): SourceNode => {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(offset, `nested more than ${MAX_DEPTH} levels deep`);
    skipWhitespace();
    const start = offset;
    const at = positionOf(start);
    const char = text[offset];
    if (char === '{') {
      offset++;
      const entries: SourceEntry[] = [];
      skipWhitespace();
      if (text[offset] === '}') {
        offset++;
        return { kind: 'map', at, entries };
      }
      for (;;) {
        skipWhitespace();
        const keyStart = offset;
        const key = token(STRING);
        if (key === undefined) throw new JsonSyntaxError(offset, `expected a key in double quotes, found ${describe(offset)}`);
        const name = JSON.parse(key) as string;
        const first = entries.find((e) => e.key === name);
        if (first) throw new JsonSyntaxError(keyStart, `the key ${key} is given twice (first at line ${first.keyAt.line})`);
        skipWhitespace();
        if (text[offset] !== ':') throw new JsonSyntaxError(offset, `expected ":" after the key ${key}, found ${describe(offset)}`);
        offset++;
        entries.push({ key: name, keyAt: positionOf(keyStart), value: value(depth + 1) });
        skipWhitespace();
        if (text[offset] === ',') {
          offset++;
          continue;
        }
        if (text[offset] === '}') {
          offset++;
          return { kind: 'map', at, entries };
        }
        throw new JsonSyntaxError(offset, `expected "," or "}", found ${describe(offset)}`);
      }
    }
    if (char === '[') {
      offset++;
      const items: SourceNode[] = [];
      skipWhitespace();
      if (text[offset] === ']') {
        offset++;
        return { kind: 'seq', at, items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skipWhitespace();
        if (text[offset] === ',') {
          offset++;
          continue;
        }
        if (text[offset] === ']') {
          offset++;
          return { kind: 'seq', at, items };
        }
        throw new JsonSyntaxError(offset, `expected "," or "]", found ${describe(offset)}`);
      }
    }
    if (char === '"') {
      const string = token(STRING);
      if (string === undefined) throw new JsonSyntaxError(start, 'a string that is not closed on its line, or holds a control character or an unknown escape');
      return { kind: 'scalar', at, value: JSON.parse(string) as string };
    }
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, offset)) {
        offset += word.length;
        return { kind: 'scalar', at, value: literal };
      }
    }
    const number = token(NUMBER);
    if (number !== undefined) return { kind: 'scalar', at, value: Number(number) };
    throw new JsonSyntaxError(offset, `expected a value, found ${describe(offset)}`);
  };

  try {
    const root = value(0);
    skipWhitespace();
    if (offset < text.length) throw new JsonSyntaxError(offset, `unexpected ${describe(offset)} after the end of the document`);
    return { ok: true, root };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, problems: [{ at: positionOf(error.offset), message: `JSON: ${error.message}` }] };
  }
}
