/**
 * What a function loads at module init, read from esbuild's metafile: the output files its handler
 * file reaches through static imports (`import … from`), not those only an `await import(…)`
 * reaches, which Node reads when that import first runs.
 */
import type { Metafile } from 'esbuild';

/** `node_modules/@scope/name/…` → `@scope/name`; Klaxon's own files → `klaxon`. */
export function packageOf(inputPath: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1] ?? 'klaxon';
}

export interface InitClosure {
  /** Bytes of the output files loaded at init. */
  bytes: number;
  /** The same bytes by package (see packageOf), heaviest first. */
  byPackage: Record<string, number>;
  /** Every input (source file) bundled into those files. */
  inputs: string[];
}

/** The outputs `entryOutput` (a key of `metafile.outputs`) loads at init, itself included. */
export function initClosure(metafile: Metafile, entryOutput: string): InitClosure {
  // An entry named wrong would give an empty closure, and every "not loaded at init" check would pass.
  if (!(entryOutput in metafile.outputs)) throw new Error(`${entryOutput} is not an output of this build`);
  const loaded = new Set<string>();
  const pending = [entryOutput];
  for (let output = pending.pop(); output !== undefined; output = pending.pop()) {
    if (loaded.has(output)) continue;
    loaded.add(output);
    for (const imported of metafile.outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path in metafile.outputs) pending.push(imported.path);
    }
  }
  let bytes = 0;
  const byPackage = new Map<string, number>();
  const inputs: string[] = [];
  for (const output of loaded) {
    const file = metafile.outputs[output];
    if (!file) continue;
    bytes += file.bytes;
    for (const [input, { bytesInOutput }] of Object.entries(file.inputs)) {
      inputs.push(input);
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return { bytes, byPackage: Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1])), inputs };
}
