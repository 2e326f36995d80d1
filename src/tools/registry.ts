// The registry: the tools the server offers (definitions.ts), known at start by what tools/list
// shows of them (built-listing.ts); their definitions, and the code only they use, load with the
// first tools/call, in a chunk of their own.
import { BUILT_LISTING } from './built-listing.js';
import { lazyCatalog, type ToolCatalog } from './catalog.js';

export const REGISTRY: ToolCatalog = lazyCatalog(async () => (await import('./definitions.js')).TOOLS, BUILT_LISTING);
