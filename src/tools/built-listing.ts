// What tools/list shows of the registry's tools, computed by `npm run build` from their definitions
// and written into the bundle in place of this module (scripts/build.mjs, `builtListing`): the
// shipped server answers tools/list without loading a tool module or converting a schema. Run from
// the sources (the tests), there is none, and the catalog describes the definitions instead.

/** The JSON text of tools/list's `tools`: sent as it is, and parsed only when a call needs the tools' entries. */
export const BUILT_LISTING: string | null = null;
