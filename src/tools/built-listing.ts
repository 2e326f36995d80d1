// What tools/list shows of the registry's tools, computed by `npm run build` from their definitions
// and written into the bundle in place of this module (scripts/build.mjs, `builtListing`): the
// shipped server answers tools/list without loading a tool module or converting a schema. Run from
// the sources (the tests), there is none, and the catalog describes the definitions instead.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export const BUILT_LISTING: readonly Tool[] | null = null;
