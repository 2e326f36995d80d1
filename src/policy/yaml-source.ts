// YAML 1.2 read into a positioned tree, through the npm package `yaml` (parseDocument with a
// LineCounter). The package is handed in (see yaml-reader.ts) rather than imported here, so this
// adapter is written against the few parts of its API it uses.
import type { ParsedSource, Position, SourceEntry, SourceNode, SourceReader, SyntaxProblem } from './source-tree.js';

/** The parts of the `yaml` package's API this adapter uses (`import * as yaml from 'yaml'` fits). */
export interface YamlLibrary {
  LineCounter: new () => { linePos(offset: number): { line: number; col: number } };
  /** Its options are those below; typed `never` here so that the package's own, richer option types fit. */
  parseDocument(source: string, options: never): YamlDocument;
  isMap(node: unknown): boolean;
  isSeq(node: unknown): boolean;
  isScalar(node: unknown): boolean;
  isAlias(node: unknown): boolean;
}

interface YamlParseOptions {
  lineCounter: InstanceType<YamlLibrary['LineCounter']>;
  prettyErrors: boolean;
  uniqueKeys: boolean;
  strict: boolean;
  version: '1.2';
  schema: 'core';
}

interface YamlDocument {
  contents: unknown;
  errors: ReadonlyArray<{ code: string; message: string; pos: readonly [number, number] }>;
}

interface YamlNode {
  range?: readonly [number, number, number] | null;
}
interface YamlMap extends YamlNode {
  items: ReadonlyArray<{ key: unknown; value: unknown }>;
}
interface YamlSeq extends YamlNode {
  items: readonly unknown[];
}
interface YamlScalar extends YamlNode {
  value: unknown;
}
interface YamlAlias extends YamlNode {
  source: string;
  resolve(doc: never): unknown;
}

/** Values in one file, aliases counted each time they are used: stops a file of nested aliases ("billion laughs"). */
const MAX_NODES = 100_000;
const MAX_DEPTH = 64;
const MAX_PROBLEMS = 20;

export function yamlSourceReader(yaml: YamlLibrary): SourceReader {
  return (text: string): ParsedSource => {
    const lineCounter = new yaml.LineCounter();
    // YAML 1.2 core schema: `yes`, `no`, `on` and `off` stay text, and there are no merge keys.
    const options: YamlParseOptions = { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2', schema: 'core' };
    const doc = yaml.parseDocument(text, options as never);
    const positionOf = (offset: number): Position => {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    };
    if (doc.errors.length > 0) {
      return { ok: false, problems: doc.errors.slice(0, MAX_PROBLEMS).map((e) => ({ at: positionOf(e.pos[0]), message: `YAML: ${messageOf(e)}` })) };
    }
    const problems: SyntaxProblem[] = [];
    let nodes = 0;
    const where = (node: unknown, fallback: Position): Position => {
      const range = (node as YamlNode | null)?.range;
      return range ? positionOf(range[0]) : fallback;
    };
    const convert = (node: unknown, fallback: Position, depth: number): SourceNode => {
      const at = where(node, fallback);
      if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
        if (problems.length === 0) problems.push({ at, message: `YAML: more than ${MAX_NODES} values or ${MAX_DEPTH} levels of nesting once aliases are expanded` });
        return { kind: 'scalar', at, value: null };
      }
      if (yaml.isAlias(node)) return convert((node as YamlAlias).resolve(doc as never), at, depth + 1);
      if (yaml.isMap(node)) {
        const entries: SourceEntry[] = [];
        for (const pair of (node as YamlMap).items) {
          const keyAt = where(pair.key, at);
          if (pair.key !== null && !yaml.isScalar(pair.key)) {
            problems.push({ at: keyAt, message: 'YAML: a key must be plain text, not a list or mapping' });
            continue;
          }
          const key = pair.key === null ? '' : String((pair.key as YamlScalar).value);
          entries.push({ key, keyAt, value: convert(pair.value, keyAt, depth + 1) });
        }
        return { kind: 'map', at, entries };
      }
      if (yaml.isSeq(node)) return { kind: 'seq', at, items: (node as YamlSeq).items.map((item) => convert(item, at, depth + 1)) };
      if (yaml.isScalar(node)) return { kind: 'scalar', at, value: scalarValue((node as YamlScalar).value) };
      // An empty value (`key:` with nothing after it) has no node at all.
      return { kind: 'scalar', at, value: null };
    };
    const root = convert(doc.contents, { line: 1, column: 1 }, 0);
    return problems.length > 0 ? { ok: false, problems: problems.slice(0, MAX_PROBLEMS) } : { ok: true, root };
  };
}

function scalarValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

function messageOf(error: { code: string; message: string }): string {
  if (error.code === 'MULTIPLE_DOCS') return 'a policy file holds one document: remove the second "---" and what follows, or merge the two';
  return error.message.split('\n')[0]!.trim();
}
