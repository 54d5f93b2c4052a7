/**
 * Ports loaded on first use: a port on an AWS service other than DynamoDB is made, adapter and SDK
 * client, by its first call, from modules reached only through `import()` (aws-ports.ts). The
 * functions are bundled with code splitting, so such modules are in chunks Node reads only when the
 * import runs: a cold start loads only what its request calls (an Alertmanager webhook never loads
 * Step Functions, a duplicate alert no EventBridge).
 */

import { loadOnce } from '../core/load-once.js';

/**
 * A port whose every member is a method returning a promise: the only kind whose calls can wait
 * for it to load. A synchronous or optional member is refused by the compiler.
 */
export type AsyncPort<Port> = { [Name in keyof Port]-?: (...args: never[]) => Promise<unknown> };

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
