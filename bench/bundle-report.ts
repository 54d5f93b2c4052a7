/**
 * What is in each Lambda bundle, and what loading it costs: builds every entry as deployed
 * (bench/cold-start.ts, buildFunctionBundles), then prints each bundle's size, what its module init
 * loads (the handler file and the chunks it imports statically) by package, and the time to import
 * it in a fresh Node process (module init, the part of a cold start the code controls).
 *
 *   npm run bundle:report
 *
 * The bundles and metafiles stay in bench/results/bundles/ (not committed), for https://esbuild.github.io/analyze/.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../lib/config-file.js';
import { REPO_ROOT } from '../lib/klaxon-function.js';
import { buildFunctionBundles, LAMBDA_ENV } from './cold-start.js';

const IMPORT_RUNS = 5;
const outDir = join(REPO_ROOT, 'bench/results/bundles');

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Median milliseconds to import the handler file in a new Node process, with the env the stack sets. */
function importMilliseconds(handlerFile: string): number {
  const env = { ...process.env, ...LAMBDA_ENV };
  const script = `const t = performance.now(); await import(${JSON.stringify(handlerFile)}); console.log(performance.now() - t);`;
  const times = Array.from({ length: IMPORT_RUNS }, () => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return Number(result.stdout.trim());
  }).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const bundles = await buildFunctionBundles(loadConfigFile(join(REPO_ROOT, DEFAULT_CONFIG_FILE)).config, outDir);
for (const bundle of bundles) {
  writeFileSync(join(outDir, `${bundle.name}.meta.json`), JSON.stringify(bundle.metafile));
  console.log(
    `\n${bundle.name}: ${kb(bundle.bytes)} minified, ${kb(bundle.init.bytes)} loaded at init, import ${importMilliseconds(bundle.handlerFile).toFixed(0)} ms (median of ${IMPORT_RUNS})`,
  );
  for (const [name, bytes] of Object.entries(bundle.init.byPackage).slice(0, Number(process.env.TOP ?? 8))) {
    console.log(`  ${kb(bytes).padStart(9)}  ${name}`);
  }
}
