// The tools a server offers, as the host reads them: what tools/list shows of each (whose
// annotations also say which tools write), known without loading any tool, and each tool's
// definition (schemas, handler or write steps), loaded when a tool is first called.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from './definition.js';

export interface ToolCatalog {
  /** tools/list's entry of every tool by name, in the registry's order. */
  listing(): Promise<ReadonlyMap<string, Tool>>;
  /** The same entries as JSON text, when it was computed with the bundle (else undefined). */
  listingJson(): string | undefined;
  /** The definition of a tool, by a name the listing has. */
  definition(name: string): Promise<ToolDefinition>;
}

/**
 * Tools loaded by `load` when first needed. With `listingJson` given (the entries' JSON text,
 * computed when the bundle was built), tools/list needs nothing loaded; without, the listing is
 * described from the definitions.
 */
export function lazyCatalog(load: () => Promise<readonly ToolDefinition[]>, listingJson: string | null): ToolCatalog {
  const definitions = once(async () => new Map((await load()).map((tool) => [tool.name, tool])));
  return {
    listing: once(async () => (listingJson ? byName(JSON.parse(listingJson) as Tool[]) : described(await definitions()))),
    listingJson: () => listingJson ?? undefined,
    async definition(name) {
      const tool = (await definitions()).get(name);
      if (!tool) throw new Error(`tool ${name} is listed but not defined`);
      return tool;
    },
  };
}

/** Tools already loaded (a test's own): described once, when first listed. */
export function catalogOf(tools: readonly ToolDefinition[]): ToolCatalog {
  return lazyCatalog(async () => tools, null);
}

/** The JSON Schema conversion is loaded only where it runs: not by the shipped server, whose listing was built. */
async function described(definitions: ReadonlyMap<string, ToolDefinition>): Promise<ReadonlyMap<string, Tool>> {
  const { describeTool } = await import('./describe.js');
  return byName([...definitions.values()].map(describeTool));
}

function byName(listing: readonly Tool[]): ReadonlyMap<string, Tool> {
  return new Map(listing.map((tool) => [tool.name, tool]));
}

/** `make`'s promise, made once and kept, unless it fails: a load that failed (a chunk missing from a broken install) is tried again by the next call. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    if (!kept) {
      kept = make();
      kept.catch(() => (kept = undefined));
    }
    return kept;
  };
}
