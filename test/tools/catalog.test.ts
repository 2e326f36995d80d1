// The catalog the tool host reads: tools/list from a listing built ahead, without loading a tool;
// the definitions loaded once, by the first call that needs them; a failed load tried again.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { catalogOf, lazyCatalog } from '../../src/tools/catalog.js';
import { defineReadTool, type ToolDefinition } from '../../src/tools/definition.js';
import { describeTool } from '../../src/tools/describe.js';
import { success } from '../../src/toolkit/results.js';

const echo = defineReadTool({
  name: 'echo',
  config: {
    title: 'Echo',
    description: 'Answers with the text it was given, for the catalog test.',
    inputSchema: z.object({ text: z.string().nullable().describe('What to answer with') }),
    outputSchema: z.object({ text: z.string().nullable() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  handler: async ({ text }) => success({ text }),
});
const BUILT: Tool[] = [{ name: 'echo', description: 'as built', inputSchema: { type: 'object' } }];
const BUILT_JSON = JSON.stringify(BUILT);

describe('a catalog with a listing built ahead', () => {
  it('lists without loading any tool, and loads the definitions once for every call after', async () => {
    const load = vi.fn(async (): Promise<readonly ToolDefinition[]> => [echo]);
    const catalog = lazyCatalog(load, BUILT_JSON);
    // The text tools/list sends as it is, and the entries a call looks up.
    expect(catalog.listingJson()).toBe(BUILT_JSON);
    expect([...(await catalog.listing()).values()]).toEqual(BUILT);
    expect(load).not.toHaveBeenCalled();
    const [first, second] = await Promise.all([catalog.definition('echo'), catalog.definition('echo')]);
    expect(first).toBe(echo);
    expect(second).toBe(echo);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries a failed load again on the next call', async () => {
    const load = vi.fn<() => Promise<readonly ToolDefinition[]>>().mockRejectedValueOnce(new Error('chunk missing')).mockResolvedValue([echo]);
    const catalog = lazyCatalog(load, BUILT_JSON);
    await expect(catalog.definition('echo')).rejects.toThrow('chunk missing');
    expect(await catalog.definition('echo')).toBe(echo);
    expect(load).toHaveBeenCalledTimes(2);
  });
});

describe('a catalog of loaded tools (a test\'s own, or the registry run from the sources)', () => {
  it('lists each tool as describeTool describes it, in the portable subset', async () => {
    const catalog = catalogOf([echo]);
    const listing = await catalog.listing();
    expect(listing.get('echo')).toEqual(describeTool(echo));
    expect(catalog.listingJson()).toBeUndefined();
    // A nullable field comes out as anyOf branches, not as a type array (toolkit/portable-schema.ts).
    expect(JSON.stringify(listing.get('echo')?.inputSchema)).not.toContain('["string","null"]');
  });
});
