/**
 * How every Lambda entry (lambdas/entry/*.ts) is bundled, in one place: the CDK function
 * construct passes these to NodejsFunction's `bundling`, and `npm run bench` passes the same
 * values to esbuild to measure each bundle's size and cold start as deployed.
 */

import { CONFIG_DEFINE } from './adapters/environment.js';
import type { KlaxonConfig } from './core/config.js';

/**
 * Nothing is left to the runtime's copy of the AWS SDK: the clients a function uses are bundled,
 * tree-shaken and minified into its one ESM file, which loads faster than the runtime's full
 * CommonJS packages (measured by `npm run bench:cold`; AWS's own guidance for Node.js Lambda) and
 * pins the SDK version to the lock file.
 */
export const EXTERNAL_MODULES: readonly string[] = [];

/**
 * ESM bundles have no `require`, but a CommonJS dependency bundled into one may still call it
 * (for Node built-ins). The alias keeps the banner's import from clashing with a bundled
 * `createRequire` import that esbuild hoists to the top of the file.
 */
export const REQUIRE_BANNER =
  "import { createRequire as klaxonCreateRequire } from 'node:module'; const require = klaxonCreateRequire(import.meta.url);";

export const LAMBDA_BUNDLING = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  banner: REQUIRE_BANNER,
} as const;

/**
 * The validated config compiled into the bundle (see CONFIG_DEFINE): esbuild `define` takes
 * JavaScript source text, so the JSON text is itself quoted as a string literal.
 */
export function configDefine(config: KlaxonConfig): Record<string, string> {
  return { [CONFIG_DEFINE]: JSON.stringify(JSON.stringify(config)) };
}

/** The same options in esbuild's own vocabulary, for a bundle built outside CDK. */
export function esbuildOptions(config: KlaxonConfig) {
  return {
    bundle: true,
    format: LAMBDA_BUNDLING.format,
    platform: LAMBDA_BUNDLING.platform,
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    external: [...LAMBDA_BUNDLING.externalModules],
    banner: { js: LAMBDA_BUNDLING.banner },
    define: configDefine(config),
  };
}
