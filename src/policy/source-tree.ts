// A policy file as its reader (yaml-source.ts) hands it over: a tree of mappings, lists and plain
// values, each with the line and column it was written at, so that every complaint about the
// content can point at it. The schema check (policy-file.ts) reads only this tree.

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export type SourceNode =
  | { kind: 'map'; at: Position; entries: SourceEntry[] }
  | { kind: 'seq'; at: Position; items: SourceNode[] }
  | { kind: 'scalar'; at: Position; value: string | number | boolean | null };

export interface SourceEntry {
  key: string;
  keyAt: Position;
  value: SourceNode;
}

/** A reason the text is not a document at all (a syntax error), where known. */
export interface SyntaxProblem {
  at: Position | null;
  message: string;
}

export type ParsedSource = { ok: true; root: SourceNode } | { ok: false; problems: SyntaxProblem[] };

/**
 * The tree as plain values for the schema check. Keys are defined as own properties, never
 * assigned, so that a key such as `__proto__` is an ordinary (and unknown) key.
 */
export function toPlain(node: SourceNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const object: Record<string, unknown> = {};
      for (const entry of node.entries) {
        Object.defineProperty(object, entry.key, { value: toPlain(entry.value), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
  }
}

/** The node at a path of keys and indices, or the deepest one on the way and the rest of the path. */
export function nodeAt(root: SourceNode, path: ReadonlyArray<PropertyKey>): { node: SourceNode; rest: PropertyKey[]; keyAt?: Position } {
  let node = root;
  let keyAt: Position | undefined;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    let next: SourceNode | undefined;
    let nextKeyAt: Position | undefined;
    if (node.kind === 'map' && typeof step === 'string') {
      const entry = node.entries.find((e) => e.key === step);
      next = entry?.value;
      nextKeyAt = entry?.keyAt;
    } else if (node.kind === 'seq' && typeof step === 'number') {
      next = node.items[step];
    }
    if (!next) return { node, rest: path.slice(i), keyAt };
    node = next;
    keyAt = nextKeyAt;
  }
  return { node, rest: [], keyAt };
}

/** Where a key of a mapping was written, if it was. */
export function keyPosition(map: SourceNode, key: string): Position | undefined {
  return map.kind === 'map' ? map.entries.find((e) => e.key === key)?.keyAt : undefined;
}
