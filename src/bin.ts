#!/usr/bin/env node
// The bin (built to dist/cli.js): reads the command line and the environment (config.ts, which
// imports nothing) and hands them to the CLI. Node maps stack traces through source maps only for
// modules loaded after the maps are switched on, so that happens here, before the CLI and
// everything it imports load: at LOG_LEVEL=debug or trace, stacks name src/ files instead of
// bundle chunks. Only this file reads config.ts, so the bundle keeps it in dist/cli.js itself:
// start-up reads one file fewer.
import { processArguments, processEnvironment, wantsSourceMaps } from './config.js';

const env = processEnvironment();
if (wantsSourceMaps(env)) process.setSourceMapsEnabled(true);
const { runCli } = await import('./cli.js');
runCli(processArguments(), env);
