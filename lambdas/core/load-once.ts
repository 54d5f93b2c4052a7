/**
 * Code a request may not need is loaded by the first call that does: `loadOnce(() => import(…))`.
 * The functions are bundled with code splitting (lambdas/bundling-options.ts), so a module reached
 * only through `import()` is a chunk Node reads when that import first runs, not at module init.
 * The handlers load their schema modules (and zod with them) this way, the adapters their SDK
 * clients (lambdas/adapters/aws-ports.ts); test/unit/init-closure.test.ts keeps both out of init.
 */

/**
 * `load`, run by the first call; concurrent first calls share it and later ones get its result.
 * A failed load is forgotten, so a later request tries again rather than failing until the next
 * cold start: that helps when the load itself failed (a file not read, a client not built); a
 * module whose top-level code threw stays failed in Node's module map, and the retry fails alike.
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

/**
 * A function whose code `load` brings, loaded by its first call (loadOnce): a route, or a kind of
 * work, whose modules and libraries only the requests for it need.
 */
export function onFirstUse<Args extends unknown[], Result>(
  load: () => Promise<(...args: Args) => Promise<Result>>,
): (...args: Args) => Promise<Result> {
  const loaded = loadOnce(load);
  return async (...args) => (await loaded())(...args);
}

/** The names of a module's exports that are functions returning a promise. */
type AsyncFunctionExport<Module> = {
  [Name in keyof Module]: Module[Name] extends (...args: never[]) => Promise<unknown> ? Name : never;
}[keyof Module];

/**
 * The function a module exports as `name`, loaded by its first call (onFirstUse): for a table of
 * routes or kinds of work whose modules `loadOnce` loads.
 */
export function exportOnFirstUse<Module, Name extends AsyncFunctionExport<Module>>(
  load: () => Promise<Module>,
  name: Name,
): Module[Name] {
  const call = onFirstUse(async () => (await load())[name] as (...args: unknown[]) => Promise<unknown>);
  // The same function as Module[Name], its arguments and result passed through unchanged.
  return call as Module[Name];
}
