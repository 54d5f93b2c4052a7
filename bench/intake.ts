/**
 * Intake on the local runtime. Latency of alert → incident stored → execution started is the
 * time to the 202: the handler answers only after the incident is written and its escalation
 * started. Beside it, a bare conditional PutItem on the same dynalite: the one write intake cannot
 * avoid, timed both on the idle runtime and while the intake load is on (the same event loop, as
 * busy as intake's own calls find it). Then alert → first page: from the POST to the page's `at`
 * in the outbox.
 */
import { performance } from 'node:perf_hooks';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { scopedDedupKey } from '../lambdas/core/alert.js';
import { integrationFor } from '../lambdas/core/integration-keys.js';
import type { OutboxPage } from '../local/outbox.js';
import type { LocalRuntime } from '../local/runtime.js';
import { generateLoad } from './load-generator.js';
import { percentile, round, waitFor } from './stats.js';

export const ROUTING_KEY = 'klaxonlocaldevroutingkey00000001';
export const INTAKE_RATES = [100, 500] as const;
export const INTAKE_SECONDS = 5;
const PUT_SAMPLES = 1000;
const FIRST_PAGE_ALERTS = 200;

export const triggerBody = (dedupKey: string, severity = 'critical') =>
  JSON.stringify({
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary: `Bench alert ${dedupKey}`, source: 'bench.local', severity },
  });

export interface PutFigures {
  samples: number;
  p50_ms: number;
  p99_ms: number;
}

export interface RateResult {
  rate: number;
  requests: number;
  non_2xx: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
  /** The bare conditional PutItem timed while this rate's load was on. */
  bare_put_under_load: PutFigures;
}

/** The gap between two bare puts while the load is on: a light probe beside the alerts. */
const PUT_PROBE_INTERVAL_MS = 10;

/**
 * `rate` alerts per second for INTAKE_SECONDS, each a new incident (a distinct dedup key), sent
 * from a process of its own; meanwhile, in the runtime's process, a bare conditional PutItem
 * every PUT_PROBE_INTERVAL_MS.
 */
export async function loadIntake(runtime: LocalRuntime, rate: number): Promise<RateResult> {
  // A few more bodies than requests, each its own dedup key.
  const bodies = Array.from({ length: Math.ceil(rate * INTAKE_SECONDS * 1.2) }, (_, i) =>
    triggerBody(`bench/${rate}/${i}`),
  );
  const { load, during } = await generateLoad(
    {
      url: runtime.url,
      path: '/v1/alerts/events',
      connections: 20,
      overallRate: rate,
      duration: INTAKE_SECONDS,
      bodies,
    },
    async (loadOn) => {
      const samples: number[] = [];
      while (loadOn()) {
        samples.push(await timedPut(runtime, `BENCH#${rate}#${samples.length}`));
        await new Promise((resolve) => setTimeout(resolve, PUT_PROBE_INTERVAL_MS));
      }
      return putFigures(samples);
    },
  );
  if (!during) throw new Error('The load generator never started');
  return {
    rate,
    requests: load.requests,
    non_2xx: load.non_2xx,
    errors: load.errors,
    p50_ms: round(percentile(load.latencies_ms, 50)),
    p99_ms: round(percentile(load.latencies_ms, 99)),
    bare_put_under_load: during,
  };
}

/** One conditional put of a small item through the runtime's own SDK client and dynalite. */
async function timedPut(runtime: LocalRuntime, pk: string): Promise<number> {
  const started = performance.now();
  await runtime.dynamodb.client.send(
    new PutItemCommand({
      TableName: runtime.tableName,
      Item: { pk: { S: pk }, sk: { S: 'PUT' }, at: { S: new Date().toISOString() } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return performance.now() - started;
}

const putFigures = (samples: number[]): PutFigures => ({
  samples: samples.length,
  p50_ms: round(percentile(samples, 50), 3),
  p99_ms: round(percentile(samples, 99), 3),
});

/** The bare put one at a time on the idle runtime (nothing else running). */
export async function barePutLatency(runtime: LocalRuntime): Promise<PutFigures> {
  const samples: number[] = [];
  for (let i = 0; i < PUT_SAMPLES; i++) samples.push(await timedPut(runtime, `BENCH#idle#${i}`));
  return putFigures(samples);
}

const UNLOADED_ALERTS = 200;
const UNLOADED_WARM_UP = 20;
/** After the previous alert's ladder waits, for what its page task left behind (events, logs). */
export const UNLOADED_SETTLE_MS = 10;

const WAIT_STATE = 'Wait until the step is due';
/** The ladder's wait, or the status-update reminders' (the two branches interleave). */
const WAIT_STATES = new Set([WAIT_STATE, 'Wait for the next reminder']);
/** The execution's first page task is done: it waits for a later step (or the next reminder). */
export const waitingForALaterStep = (states: string[]) =>
  WAIT_STATES.has(states.at(-1) ?? '') && states.filter((state) => state === WAIT_STATE).length > 1;

/**
 * Intake with no queue: one alert at a time on the idle runtime, each a new incident, the next
 * sent only once the previous one's first page task has finished. What intake costs with nothing
 * waiting ahead of it: the floor under the loaded figures.
 */
export async function unloadedIntakeLatency(runtime: LocalRuntime) {
  const samples: number[] = [];
  // Events v2 keys are scoped by the integration the routing key names.
  const integration = integrationFor(runtime.config, ROUTING_KEY);
  for (let i = 0; i < UNLOADED_WARM_UP + UNLOADED_ALERTS; i++) {
    const started = performance.now();
    const response = await fetch(`${runtime.url}/v1/alerts/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: triggerBody(`bench/unloaded/${i}`),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`Unloaded alert ${i} answered ${response.status}`);
    if (i >= UNLOADED_WARM_UP) samples.push(performance.now() - started);
    const dedupKey = scopedDedupKey({ source: 'events-v2', dedupKey: `bench/unloaded/${i}`, integration });
    const incidentId = await runtime.deps.store.findByDedupKey(dedupKey);
    await waitFor(
      () =>
        runtime.stepFunctions
          .list()
          .some(
            (execution) => execution.input.incidentId === incidentId && waitingForALaterStep(execution.statesEntered),
          )
          ? true
          : undefined,
      `alert ${i}'s first page task`,
    );
    await new Promise((resolve) => setTimeout(resolve, UNLOADED_SETTLE_MS));
  }
  return {
    alerts: samples.length,
    p50_ms: round(percentile(samples, 50), 2),
    p99_ms: round(percentile(samples, 99), 2),
  };
}

/** One alert every 20 ms (50/s), each its own incident; then each first page's `at` minus its POST time. */
export async function firstPageLatency(runtime: LocalRuntime) {
  const sentAt = new Map<string, number>();
  // Events v2 keys are scoped by the integration the routing key names.
  const integration = integrationFor(runtime.config, ROUTING_KEY);
  for (let i = 0; i < FIRST_PAGE_ALERTS; i++) {
    const started = Date.now();
    const response = await fetch(`${runtime.url}/v1/alerts/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: triggerBody(`bench/first-page/${i}`),
    });
    if (response.status !== 202) throw new Error(`First-page alert ${i} answered ${response.status}`);
    const incidentId = await runtime.deps.store.findByDedupKey(
      scopedDedupKey({ source: 'events-v2', dedupKey: `bench/first-page/${i}`, integration }),
    );
    if (incidentId) sentAt.set(incidentId, started);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - (Date.now() - started))));
  }
  const firstPages = await waitFor(() => {
    const found = new Map<string, OutboxPage>();
    for (const page of runtime.outbox.pages()) {
      if (sentAt.has(page.incidentId) && !found.has(page.incidentId)) found.set(page.incidentId, page);
    }
    return found.size === FIRST_PAGE_ALERTS ? found : undefined;
  }, 'every first page');
  const latencies = [...firstPages].map(([id, page]) => Date.parse(page.at) - (sentAt.get(id) as number));
  return {
    alerts: FIRST_PAGE_ALERTS,
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
  };
}
