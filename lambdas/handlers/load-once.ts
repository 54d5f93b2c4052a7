/**
 * Schema modules are loaded by the first request that validates with them, through
 * `loadOnce(() => import('../schemas/<x>.js'))` beside the handler that uses them. zod and the
 * schemas built with it cost about 25 ms of a function's module init; bundled with code splitting,
 * a module reached only through `import()` is a chunk Node reads when the import runs, so a cold
 * start pays for the schemas its requests use and no more. A handler awaits its schema module at
 * the top of its work; from lambdas/schemas it imports statically only types and the zod-free
 * constants (test/unit/init-closure-zod.test.ts keeps zod out of every function's init).
 */

/**
 * `load`, run by the first call; concurrent first calls share it and later ones get its result.
 * A failed load is forgotten, so a later request tries again rather than failing until the next
 * cold start.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
