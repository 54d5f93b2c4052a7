/**
 * No function loads zod at module init. Bundled with code splitting, what an entry reaches by
 * static imports is read before its handler exists, on every cold start; a schema module reached
 * only through `import()` is a chunk read by the first request that validates with it. zod and the
 * schemas built with it were the largest part of a function's init beside the AWS SDK.
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../../lambdas/bundling-options.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../lib/config-file.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = readdirSync(`${REPO_ROOT}/lambdas/entry`)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'));
const ZOD = /(^|\/)node_modules\/zod\//;

/** The entry bundled as deployed (bundling-options.ts), split into an entry chunk and chunks loaded on `import()`. */
async function splitBundle(entry: string): Promise<Metafile> {
  const { outfile: _, ...deployed } = {
    ...esbuildOptions(loadConfigFile(`${REPO_ROOT}/${DEFAULT_CONFIG_FILE}`).config),
    outfile: undefined,
  };
  const result = await build({
    ...deployed,
    absWorkingDir: REPO_ROOT,
    entryPoints: { index: `lambdas/entry/${entry}.ts` },
    splitting: true,
    outdir: `node_modules/.cache/init-closure-zod/${entry}`,
    write: false,
    metafile: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return result.metafile;
}

/** The source files of the entry chunk and of every chunk it imports statically, however deep. */
function initInputs(metafile: Metafile): Set<string> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => path.endsWith('/index.mjs'));
  if (!entry) throw new Error(`No index.mjs among ${Object.keys(outputs).join(', ')}`);
  const seen = new Set<string>();
  const pending = [entry];
  for (let output = pending.pop(); output !== undefined; output = pending.pop()) {
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && outputs[imported.path]) pending.push(imported.path);
    }
  }
  return new Set([...seen].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {})));
}

const bundles = new Map<string, Metafile>();

beforeAll(async () => {
  const built = await Promise.all(ENTRIES.map(async (entry) => [entry, await splitBundle(entry)] as const));
  for (const [entry, metafile] of built) bundles.set(entry, metafile);
});

test.each(ENTRIES)('the %s function loads no zod at module init', (entry) => {
  const metafile = bundles.get(entry);
  if (!metafile) throw new Error(`${entry} was not bundled`);
  const loadedAtInit = [...initInputs(metafile)].filter((input) => ZOD.test(input));
  expect({ entry, zodLoadedAtInit: loadedAtInit }).toEqual({ entry, zodLoadedAtInit: [] });
});

test('the intake bundle holds zod, in chunks its requests load, where the walk would see it if init reached them', () => {
  const metafile = bundles.get('intake');
  if (!metafile) throw new Error('intake was not bundled');
  const everywhere = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  expect(everywhere.some((input) => ZOD.test(input))).toBe(true);
  expect([...initInputs(metafile)]).toEqual(expect.arrayContaining(['lambdas/handlers/intake.ts']));
});
