// A policy file's text read into a positioned tree by the `yaml` package (parseDocument with a
// LineCounter). JSON is YAML 1.2, so this one reader serves both, with the same positions.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { ParsedSource, Position, SourceEntry, SourceNode, SyntaxProblem } from './source-tree.js';

/** Values in one file, aliases counted each time they are used: stops a file of nested aliases ("billion laughs"). */
const MAX_NODES = 100_000;
/** Far deeper than any policy; deeper nesting is refused before it could exhaust the stack. */
const MAX_DEPTH = 64;
const MAX_PROBLEMS = 20;

export function readYaml(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const positionOf = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const deep = tooDeep(text);
  if (deep !== undefined) return { ok: false, problems: [{ at: positionIn(text, deep), message: `YAML: nested deeper than any policy (more than ${MAX_DEPTH} levels, or indented past column ${MAX_INDENT})` }] };
  // YAML 1.2 core schema: `yes`, `no`, `on` and `off` stay text, and there are no merge keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2', schema: 'core' });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.slice(0, MAX_PROBLEMS).map((e) => ({ at: positionOf(e.pos[0]), message: `YAML: ${messageOf(e)}` })) };
  }
  const problems: SyntaxProblem[] = [];
  let nodes = 0;
  const where = (node: unknown, fallback: Position): Position => {
    const range = (node as { range?: readonly number[] | null } | null)?.range;
    return range ? positionOf(range[0]!) : fallback;
  };
  const convert = (node: unknown, fallback: Position, depth: number): SourceNode => {
    const at = where(node, fallback);
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
      if (problems.length === 0) problems.push({ at, message: `YAML: more than ${MAX_NODES} values, or more than ${MAX_DEPTH} levels of nesting, once aliases are expanded` });
      return { kind: 'scalar', at, value: null };
    }
    if (isAlias(node)) return convert(node.resolve(doc), at, depth + 1);
    if (isMap(node)) {
      const entries: SourceEntry[] = [];
      for (const pair of node.items) {
        const keyAt = where(pair.key, at);
        if (pair.key !== null && !isScalar(pair.key)) {
          problems.push({ at: keyAt, message: 'YAML: a key must be plain text, not a list or mapping' });
          continue;
        }
        entries.push({ key: pair.key === null ? '' : String(pair.key.value), keyAt, value: convert(pair.value, keyAt, depth + 1) });
      }
      return { kind: 'map', at, entries };
    }
    if (isSeq(node)) return { kind: 'seq', at, items: node.items.map((item) => convert(item, at, depth + 1)) };
    if (isScalar(node)) return { kind: 'scalar', at, value: scalarValue(node.value) };
    // An empty value (`key:` with nothing after it) has no node at all.
    return { kind: 'scalar', at, value: null };
  };
  const root = convert(doc.contents, { line: 1, column: 1 }, 0);
  return problems.length > 0 ? { ok: false, problems: problems.slice(0, MAX_PROBLEMS) } : { ok: true, root };
}

/** Past this column no line of a policy starts its content, whatever its style. */
const MAX_INDENT = 256;

/**
 * Where the text first nests deeper than any policy could, or undefined: flow brackets more than
 * MAX_DEPTH deep, or a line whose indentation and block indicators (`- `, `? `, `: `) reach past
 * MAX_INDENT columns. The parser composes nested collections recursively: a megabyte of `[` or of
 * `- ` would exhaust the stack (or the memory) before any check of ours ran. Brackets inside quotes
 * or comments count too; a policy never needs 64 of them open at once.
 */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '[' || char === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if (char === ']' || char === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  const indent = /^(?:[ \t]|[-?:](?=[ \t]))*/gm;
  for (let match = indent.exec(text); match; match = indent.exec(text)) {
    if (match[0].length > MAX_INDENT) return match.index + MAX_INDENT;
    if (match[0].length === 0) indent.lastIndex++;
  }
  return undefined;
}

/** 1-based line and column of an offset, without the parser's line counter. */
function positionIn(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function scalarValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function messageOf(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'a policy file holds one document: remove the second "---" and what follows, or merge the two';
  return error.message.split('\n')[0]!.trim();
}
