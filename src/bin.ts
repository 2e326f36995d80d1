#!/usr/bin/env node
// The bin (built to dist/cli.js). Node maps stack traces through source maps only for modules
// loaded after the maps are switched on, so that happens here, before the CLI and everything it
// imports load: at LOG_LEVEL=debug or trace, stacks name src/ files instead of bundle chunks.
// The configuration module itself (and the few it imports) loads before the switch: its errors are
// usage errors, reported without a stack.
import { wantsSourceMaps } from './config.js';

if (wantsSourceMaps()) process.setSourceMapsEnabled(true);
await import('./cli.js');
