/**
 * No module depends on itself through a chain of imports. A cycle lets the order modules load in
 * decide whether a value is defined yet, and says that two modules each hold a fact the other
 * needs, when one of them should own it. Type imports count: the tangle is the same, only erased
 * from the JavaScript.
 */
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['bin', 'bench', 'cli', 'lambdas', 'lib', 'local', 'test'];

async function cruiseSources(): Promise<ICruiseResult> {
  const { output } = await cruise(SOURCES, {
    baseDir: REPO_ROOT,
    validate: true,
    // Keeps `import type`, which the compiled JavaScript no longer has.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    ruleSet: { forbidden: [{ name: 'no-import-cycle', severity: 'error', from: {}, to: { circular: true } }] },
  });
  return output as ICruiseResult;
}

describe('imports', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseSources();
  });

  test('every relative import resolves to a file, so no cycle can hide behind one', () => {
    const unresolved = result.modules.flatMap((module) =>
      module.dependencies
        .filter((dependency) => dependency.couldNotResolve && dependency.module.startsWith('.'))
        .map((dependency) => `${module.source} imports ${dependency.module}`),
    );
    expect(unresolved).toEqual([]);
    expect(result.modules.map((module) => module.source)).toEqual(
      expect.arrayContaining(['lambdas/core/incident.ts', 'lambdas/handlers/http.ts', 'lib/klaxon.ts']),
    );
  });

  test('no module imports itself back through other modules', () => {
    // One line per cycle, as the path to follow: `a.ts → b.ts → a.ts`.
    const cycles = result.summary.violations.map((violation) => {
      const steps = violation.cycle ?? [];
      const path = [violation.from, ...steps.map((step) => step.name)].join(' → ');
      const atRunTime = steps.every((step) => !step.dependencyTypes.includes('type-only'));
      return atRunTime ? `${path} (at run time too: no step is a type import)` : path;
    });
    expect(cycles.join('\n')).toBe('');
  });
});
