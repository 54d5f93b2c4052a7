/**
 * What a function loads at module init when bundled with code splitting: the output file Lambda
 * imports, and every chunk it reaches by static `import` statements. A chunk reached only through
 * `import()` is read when that import runs, on the first call that needs it, so it is not counted.
 */
import type { Metafile } from 'esbuild';

export interface InitClosure {
  /** Bytes of minified output loaded at init. */
  bytes: number;
  /** The same bytes by npm package (the innermost `node_modules/<package>`), and `klaxon` for our own files. */
  byPackage: Record<string, number>;
}

export function packageOf(inputPath: string): string {
  // Greedy up to the last node_modules: a package nested inside another is counted as itself.
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1] ?? 'klaxon';
}

/** `entryOutput`: the entry's key in `metafile.outputs` (its output path, as esbuild wrote it). */
export function initClosure(metafile: Metafile, entryOutput: string): InitClosure {
  if (!metafile.outputs[entryOutput]) {
    throw new Error(`${entryOutput} is not an output of this build: ${Object.keys(metafile.outputs).join(', ')}`);
  }
  const loaded = new Set<string>();
  const toVisit = [entryOutput];
  for (let output = toVisit.pop(); output !== undefined; output = toVisit.pop()) {
    if (loaded.has(output)) continue;
    loaded.add(output);
    for (const { path, kind } of metafile.outputs[output]?.imports ?? []) {
      // Node built-ins and externals are imports too, but no output of the build.
      if (kind === 'import-statement' && metafile.outputs[path]) toVisit.push(path);
    }
  }
  const byPackage: Record<string, number> = {};
  let bytes = 0;
  for (const output of loaded) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
      const name = packageOf(input);
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
      bytes += bytesInOutput;
    }
  }
  return { bytes, byPackage };
}
