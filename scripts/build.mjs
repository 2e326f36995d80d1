#!/usr/bin/env node
// `npm run build`: src/ → dist/ with esbuild (tsc only type-checks: `npm run typecheck`).
//
// What ships (package.json "files"): dist/cli.js, the bin, and dist/chunks/, one bundle of the
// server with its dependencies, split so that what a command does not need (undici until the
// first API request, the emulator, doctor) stays in chunks loaded by import() when needed. Loading
// a few large files instead of hundreds of small ones is what makes start-up beat a bare SDK
// server. A single-file bundle does not start: zod's classes must initialise in module order.
// The tools themselves (schemas, handlers, and the plans and policy code only they use) are such a
// chunk too, loaded by the first tools/call: tools/list is answered from a listing computed here,
// at build time, from the same definitions (`toolListing`, `builtListing`).
//
// For the repository only (not shipped): the demo and the modules the benchmark and tests import
// from dist/, bundled on their own against node_modules.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');

/** Bundled CommonJS (pino, ajv…) calls require() for Node built-ins; an ES module has none. */
const REQUIRE_SHIM = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * zod re-exports all of its 40-odd locales (`z.locales`), and a bundle cannot tell that nothing
 * reads them: they were a third of zod's bytes in the start-up chunk, compiled at every start.
 * Only English is ever used (zod sets it itself; nothing here, nor in the SDK, calls `z.config`
 * with another), so the locales module zod re-exports is cut down to English: `z.locales.en` is
 * still there, the other languages are not.
 */
function zodInEnglishOnly() {
  const NAMESPACE = 'zod-in-english-only';
  const ZOD = /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/][^\\/]+\.js$/;
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        ZOD.test(args.importer) ? { path: 'locales', namespace: NAMESPACE, pluginData: path.join(path.dirname(args.importer), '..', 'locales') } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: 'export { default as en } from "./en.js";\n', resolveDir: args.pluginData, loader: 'js' }));
    },
  };
}

/** The settings every bundle of this project uses; the benchmark bundles its baseline server with them too. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  banner: { js: REQUIRE_SHIM },
  // Maps hold line tables only, not the sources: src/ stays in the repository.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [zodInEnglishOnly()],
};

/**
 * `await import('undici')` gives Node's named exports of that CommonJS package (Agent, request…),
 * but esbuild turns a CommonJS module reached by import() into a chunk that exports only
 * `default`. This plugin puts an ES module in front of the listed packages that exports the same
 * names Node would, so src/ reads them as it does unbundled.
 */
function namedExportsOf(packages) {
  const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
  const NAMESPACE = 'cjs-named-exports';
  return {
    name: NAMESPACE,
    setup(build) {
      const filter = new RegExp(`^(${packages.join('|')})$`);
      // Inside the facade the same specifier resolves normally, to the package itself.
      build.onResolve({ filter }, (args) => (args.namespace === NAMESPACE ? undefined : { path: args.path, namespace: NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const names = Object.keys(requireFromRoot(args.path)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
        const specifier = JSON.stringify(args.path);
        return { contents: `import m from ${specifier};\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`, resolveDir: ROOT };
      });
    },
  };
}

/**
 * The OpenTelemetry packages without an `exports` map resolve, for an ES bundle on Node, to their
 * CommonJS build, which esbuild cannot tree-shake: each `require` of the semantic conventions
 * brought in all of them (200 kB). Their own ES build (`module`) lets only what is used in.
 */
function esmBuildOf(scope) {
  return {
    name: 'esm-build-of',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${scope}/[^/]+$`) }, (args) => {
        // npm hoists them all to the top: one copy of each.
        const manifest = path.join(ROOT, 'node_modules', args.path, 'package.json');
        const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
        return pkg.exports || !pkg.module ? undefined : { path: path.join(path.dirname(manifest), pkg.module) };
      });
    },
  };
}

/**
 * The SDK's Server imports Ajv (with its formats and URI parser, 280 kB) for the JSON Schema
 * validator it makes when given none. This server always gives its own (src/first-use-validator.ts),
 * which loads Ajv with the first approval form, but esbuild cannot know the default is never made,
 * so every start compiled and ran Ajv's modules. The Server's import gets this stand-in instead,
 * which refuses to be made; the real provider is the chunk first-use-validator.ts loads.
 */
function withoutTheDefaultValidator() {
  const NAMESPACE = 'without-the-default-validator';
  const SERVER = /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]server[\\/]index\.js$/;
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /[\\/]validation[\\/]ajv-provider\.js$/ }, (args) => (SERVER.test(args.importer) ? { path: 'ajv-provider', namespace: NAMESPACE } : undefined));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({
        contents: `export class AjvJsonSchemaValidator {
  constructor() {
    throw new Error('huaweicloud-er-mcp is built without the SDK default JSON Schema validator: give the Server a jsonSchemaValidator');
  }
}
`,
        loader: 'js',
      }));
    },
  };
}

/**
 * What tools/list shows of the registry's tools, computed from their definitions as the server
 * would at run time: the definitions and `describeTool` bundled alone (dependencies from
 * node_modules) into a file that this process imports, then removes.
 */
async function toolListing() {
  const file = path.join(DIST, '.tool-listing.mjs');
  await esbuild.build({
    ...BUNDLE_OPTIONS,
    splitting: false,
    sourcemap: false,
    absWorkingDir: ROOT,
    packages: 'external',
    stdin: { contents: "export { TOOLS } from './src/tools/definitions.ts';\nexport { describeTool } from './src/tools/describe.ts';\n", resolveDir: ROOT, loader: 'ts', sourcefile: 'tool-listing.ts' },
    outfile: file,
  });
  try {
    const { TOOLS, describeTool } = await import(pathToFileURL(file).href);
    return TOOLS.map(describeTool);
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * Puts the listing computed at build time in place of src/tools/built-listing.ts (which says null),
 * as JSON text: tools/list sends it as it is (src/message-json.ts), and a call that
 * needs the entries parses it then.
 */
function builtListing(listing) {
  return {
    name: 'built-listing',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]tools[\\/]built-listing\.ts$/ }, () => ({
        contents: `export const BUILT_LISTING = ${JSON.stringify(JSON.stringify(listing))};\n`,
        loader: 'js',
      }));
    },
  };
}

/**
 * esbuild splits the bundle by the set of entry points (the bin and every `import()`) that reach
 * each module, so the modules the CLI loads at start were spread over some twenty small chunks,
 * and each file costs the loader about half a millisecond. Every `import()` in src/ runs after the
 * CLI module has been evaluated, so here each one goes through a module that also imports the CLI:
 * at run time that import is the module already loaded (it does nothing), but at build time every
 * module of the CLI is then reached by the same entry points, and they share one chunk.
 */
function afterTheCli() {
  const NAMESPACE = 'after-the-cli';
  const CLI = path.join(ROOT, 'src', 'cli.ts');
  const BIN = path.join(ROOT, 'src', 'bin.ts');
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.importer === BIN || !args.importer.startsWith(path.join(ROOT, 'src') + path.sep)) return undefined;
        const resolved = await build.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, importer: args.importer });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: resolved.path, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: `import ${JSON.stringify(CLI)};\nexport * from ${JSON.stringify(args.path)};\n`,
        resolveDir: path.dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/** What runs the installed package: everything bundled, so it needs no dependencies at all. */
async function buildShipped() {
  const listing = await toolListing();
  const result = await esbuild.build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: ROOT,
    // bin.ts switches source maps on before the CLI loads (see there); it becomes dist/cli.js.
    entryPoints: [{ in: 'src/bin.ts', out: 'cli' }],
    outdir: DIST,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [...BUNDLE_OPTIONS.plugins, afterTheCli(), withoutTheDefaultValidator(), namedExportsOf(['undici']), builtListing(listing), esmBuildOf('@opentelemetry')],
    metafile: true,
  });
  await writeFile(path.join(DIST, 'THIRD-PARTY-LICENSES.txt'), await licenses(result.metafile));
  return result.metafile;
}

/** dist/demo.js and the modules bench/ and test/ import, at the paths they have always had. */
async function buildRepositoryOnly() {
  await esbuild.build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: ROOT,
    packages: 'external',
    entryPoints: ['src/demo.ts', 'src/log.ts', 'src/er/client.ts', 'src/http/http-client.ts', 'src/http/signer.ts', 'src/emulator/emulator.ts', 'src/emulator/topology.ts', 'src/guardrails/audit.ts', 'src/guardrails/audit-append.ts'],
    outdir: DIST,
    outbase: 'src',
    chunkNames: 'repo-chunks/[name]-[hash]',
  });
}

/** The directory of the package an input file belongs to, or undefined for our own sources. */
function packageDirOf(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Name, version, licence and licence text of every package that ended up in the shipped bundle. */
async function licenses(metafile) {
  const dirs = [...new Set(Object.keys(metafile.inputs).map(packageDirOf).filter(Boolean))];
  const entries = [];
  for (const dir of dirs) {
    const absolute = path.join(ROOT, dir);
    const pkg = JSON.parse(await readFile(path.join(absolute, 'package.json'), 'utf8'));
    const licenseFile = (await readdir(absolute)).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const text = licenseFile ? (await readFile(path.join(absolute, licenseFile), 'utf8')).trim() : `(no licence file in the package; package.json says ${pkg.license})`;
    entries.push({ id: `${pkg.name}@${pkg.version}`, license: pkg.license ?? 'UNKNOWN', text });
  }
  entries.sort((a, b) => a.id.localeCompare(b.id));
  const header = 'huaweicloud-er-mcp bundles the following packages into dist/. Their licences follow.\n';
  return [header, ...entries.map((e) => `${'='.repeat(78)}\n${e.id} (${e.license})\n${'='.repeat(78)}\n${e.text}\n`)].join('\n');
}

async function main() {
  await rm(DIST, { recursive: true, force: true });
  await mkdir(DIST);
  await buildShipped();
  await buildRepositoryOnly();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`build failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
