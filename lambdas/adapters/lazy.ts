/**
 * Ports loaded on first use: a port on an AWS service other than DynamoDB is made, adapter and SDK
 * client, by its first call, from modules reached only through `import()` (aws-ports.ts). The
 * functions are bundled with code splitting, so such modules are in chunks Node reads only when the
 * import runs: a cold start loads only what its request calls (an Alertmanager webhook never loads
 * Step Functions, a duplicate alert no EventBridge).
 */

/**
 * A port whose every member is a method returning a promise: the only kind whose calls can wait
 * for it to load. A synchronous or optional member is refused by the compiler.
 */
export type AsyncPort<Port> = { [Name in keyof Port]-?: (...args: never[]) => Promise<unknown> };

/**
 * `load`, run once: concurrent first callers share the one run, and later ones get its result.
 * A failed run is forgotten, so the next call tries again: a container must not keep a passing
 * failure (a throttled call, a network error) for its whole life.
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
 * The port `load` makes, loaded by the first call of any of its methods (loadOnce). `methods`
 * names every method, as the compiler checks: a stand-in that answered to any name would make an
 * absent optional member look present (`escalation.ladderTime?.(…)`) and be taken for a promise
 * (`then`).
 */
export function lazyPort<Port extends AsyncPort<Port>>(
  methods: { readonly [Name in keyof Port]-?: true },
  load: () => Promise<Port>,
): Port {
  const loaded = loadOnce(load);
  const port: Partial<Record<keyof Port, unknown>> = {};
  for (const name of Object.keys(methods) as (keyof Port)[]) {
    port[name] = async (...args: never[]) => {
      const real = await loaded();
      return real[name].apply(real, args);
    };
  }
  // Every method named in `methods`, which the compiler checked is every one of Port's.
  return port as Port;
}
