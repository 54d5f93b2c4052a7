/**
 * How every Lambda entry (lambdas/entry/*.ts) is bundled, in one place: lib/klaxon-function.ts
 * builds each function's asset with these options, and `npm run bench` builds the same bundles to
 * measure their size and module init as deployed.
 */

import type { BuildOptions } from 'esbuild';
import { CONFIG_DEFINE } from './adapters/environment.js';
import type { KlaxonConfig } from './core/config.js';

/**
 * ESM bundles have no `require`, but a CommonJS dependency bundled into one may still call it
 * (for Node built-ins). esbuild writes the banner at the top of every output file, chunks
 * included, and each file is a module of its own, so each gets its own `require`; it is made by
 * the first call, since most chunks never call it and a function's init reads a score of them.
 * The alias keeps the banner's import from clashing with a bundled `createRequire` import that
 * esbuild hoists to the top of the file.
 */
export const REQUIRE_BANNER =
  "import { createRequire as klaxonCreateRequire } from 'node:module'; let klaxonRequire; const require = (id) => (klaxonRequire ??= klaxonCreateRequire(import.meta.url))(id);";

/** The file Lambda loads (`index.handler`); the chunks it imports sit beside it in `chunks/`. */
export const HANDLER_FILE = 'index.mjs';
export const HANDLER = 'index.handler';

/**
 * The validated config compiled into the bundle (see CONFIG_DEFINE): esbuild `define` takes
 * JavaScript source text, so the JSON text is itself quoted as a string literal.
 */
export function configDefine(config: KlaxonConfig): Record<string, string> {
  return { [CONFIG_DEFINE]: JSON.stringify(JSON.stringify(config)) };
}

/**
 * The esbuild options of one function's bundle, written to `outdir`.
 *
 * - Nothing is left to the runtime's copy of the AWS SDK: the clients a function uses are bundled,
 *   tree-shaken and minified, which loads faster than the runtime's CommonJS packages (measured by
 *   `npm run bench:cold`; AWS's own guidance for Node.js Lambda) and pins the SDK to the lock file.
 * - Code splitting: what the handler reaches only through `await import(...)` (an SDK client or a
 *   schema a route needs, the SDK's own credential providers that Lambda never uses) goes to a chunk
 *   of its own that Node reads when that import first runs, so module init loads only what every
 *   request needs. Every file is `.mjs`: Lambda's package has no package.json to say `.js` is ESM.
 */
export function functionBundleOptions(config: KlaxonConfig, entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    // Prefer dependencies' ESM builds: smaller bundles, tree-shaken, and no CommonJS interop.
    mainFields: ['module', 'main'],
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    banner: { js: REQUIRE_BANNER },
    // Lambda caps environment variables at 4 KB in all, which a real roster outgrows, so the
    // config is compiled in (see CONFIG_DEFINE).
    define: configDefine(config),
  };
}
