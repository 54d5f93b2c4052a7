/**
 * What is in each Lambda bundle, and what loading it costs: builds every entry with the options
 * CDK uses (lib/klaxon-function.ts, klaxonBundling), then prints the bundle size, the packages
 * that make it up (from esbuild's metafile) and the time to import the bundle in a fresh Node
 * process (module init, the part of a cold start the code controls).
 *
 *   npm run bundle:report
 *
 * The bundles and metafiles go to bench/results/bundles/ (not committed), for https://esbuild.github.io/analyze/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../lib/config-file.js';
import { klaxonBundling, REPO_ROOT } from '../lib/klaxon-function.js';
import { LAMBDA_ENV } from './cold-start.js';

const ENTRIES = ['intake', 'incidents-api', 'page-responders'] as const;
const IMPORT_RUNS = 5;
const outDir = join(REPO_ROOT, 'bench/results/bundles');

/** `node_modules/@scope/name/…` → `@scope/name`; our own files → `(klaxon)`. */
function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? '(klaxon)';
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Median milliseconds to import the bundle in a new Node process, with the env the stack sets. */
function importMilliseconds(bundle: string): number {
  const env = { ...process.env, ...LAMBDA_ENV };
  const script = `const t = performance.now(); await import(${JSON.stringify(bundle)}); console.log(performance.now() - t);`;
  const times = Array.from({ length: IMPORT_RUNS }, () => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return Number(result.stdout.trim());
  }).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const options = klaxonBundling(loadConfigFile(join(REPO_ROOT, DEFAULT_CONFIG_FILE)).config);
mkdirSync(outDir, { recursive: true });
for (const entry of ENTRIES) {
  const outfile = join(outDir, `${entry}.mjs`);
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'lambdas/entry', `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    mainFields: options.mainFields,
    banner: { js: options.banner ?? '' },
    minify: options.minify,
    sourcemap: false,
    external: options.externalModules,
    define: options.define,
    metafile: true,
    logLevel: 'warning',
  });
  const metafile: Metafile = result.metafile;
  writeFileSync(join(outDir, `${entry}.meta.json`), JSON.stringify(metafile));
  const output = Object.values(metafile.outputs)[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    byPackage.set(packageOf(path), (byPackage.get(packageOf(path)) ?? 0) + input.bytesInOutput);
  }
  console.log(
    `\n${entry}: ${kb(output.bytes)} minified, import ${importMilliseconds(outfile).toFixed(0)} ms (median of ${IMPORT_RUNS})`,
  );
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`  ${kb(bytes).padStart(9)}  ${name}`);
  }
}
