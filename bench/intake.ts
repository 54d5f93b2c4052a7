/**
 * Intake on the local runtime. Latency of alert → incident stored → execution started is the
 * time to the 202: the handler answers only after the incident is written and its escalation
 * started. Beside it, a bare conditional PutItem on the same dynalite: the one write intake cannot
 * avoid. Then alert → first page: from the POST to the page's `at` in the outbox.
 */
import { performance } from 'node:perf_hooks';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import autocannon from 'autocannon';
import { scopedDedupKey } from '../lambdas/core/alert.js';
import type { OutboxPage } from '../local/outbox.js';
import type { LocalRuntime } from '../local/runtime.js';
import { percentile, round, waitFor } from './stats.js';

const ROUTING_KEY = 'klaxonlocaldevroutingkey00000001';
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

export interface RateResult {
  rate: number;
  requests: number;
  non_2xx: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
}

/** `rate` alerts per second for INTAKE_SECONDS, each a new incident (a distinct dedup key). */
export async function loadIntake(runtime: LocalRuntime, rate: number): Promise<RateResult> {
  let sequence = 0;
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: runtime.url,
        connections: 20,
        overallRate: rate,
        duration: INTAKE_SECONDS,
        requests: [
          {
            method: 'POST',
            path: '/v1/alerts/events',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: triggerBody(`bench/${rate}/${sequence++}`) }),
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    // autocannon's histogram keeps whole milliseconds; its per-response times are exact.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  return {
    rate,
    requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors,
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
  };
}

/** A conditional put of a small item, one at a time, through the same SDK client and dynalite. */
export async function barePutLatency(runtime: LocalRuntime) {
  const samples: number[] = [];
  for (let i = 0; i < PUT_SAMPLES; i++) {
    const started = performance.now();
    await runtime.dynamodb.client.send(
      new PutItemCommand({
        TableName: runtime.tableName,
        Item: { pk: { S: `BENCH#${i}` }, sk: { S: 'PUT' }, at: { S: new Date().toISOString() } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    samples.push(performance.now() - started);
  }
  return { samples: PUT_SAMPLES, p50_ms: round(percentile(samples, 50), 3), p99_ms: round(percentile(samples, 99), 3) };
}

/** One alert every 20 ms (50/s), each its own incident; then each first page's `at` minus its POST time. */
export async function firstPageLatency(runtime: LocalRuntime) {
  const sentAt = new Map<string, number>();
  for (let i = 0; i < FIRST_PAGE_ALERTS; i++) {
    const started = Date.now();
    const response = await fetch(`${runtime.url}/v1/alerts/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: triggerBody(`bench/first-page/${i}`),
    });
    if (response.status !== 202) throw new Error(`First-page alert ${i} answered ${response.status}`);
    const incidentId = await runtime.deps.store.findByDedupKey(
      scopedDedupKey({ source: 'events-v2', dedupKey: `bench/first-page/${i}` }),
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
