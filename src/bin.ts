#!/usr/bin/env node
// The bin (built to dist/cli.js). Node maps stack traces through source maps only for modules
// loaded after the maps are switched on, so that happens here, before the CLI and everything it
// imports load: at LOG_LEVEL=debug or trace, stacks name src/ files instead of bundle chunks.
const level = process.env.LOG_LEVEL;
if (level === 'debug' || level === 'trace') process.setSourceMapsEnabled(true);
await import('./cli.js');
