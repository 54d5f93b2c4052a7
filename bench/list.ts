/**
 * Listing at scale: 10,000 open incidents written through the store, then the list endpoint's
 * first page, a walk through every page, and one incident with its timeline, over HTTP.
 * Only Query and GetItem touch the table (no Scan): the figures stay flat as the table grows.
 */
import { performance } from 'node:perf_hooks';
import { ulidGenerator } from '../lambdas/adapters/system.js';
import type { Incident } from '../lambdas/core/incident.js';
import { tierLadder } from '../lambdas/core/run-control.js';
import { firstRun } from '../lambdas/core/runs.js';
import type { LocalRuntime } from '../local/runtime.js';
import { inParallel, percentile, round } from './stats.js';

export const LIST_INCIDENTS = 10_000;
const SAMPLES = 100;

/**
 * Each endpoint timed on the 10,000 incidents. Reports are to be added here when their routes
 * exist (e.g. `{ name: 'report', path: () => '/v1/reports/…' }`): they run on the same data.
 */
export const LIST_ENDPOINTS: { name: string; path: (ids: string[]) => string }[] = [
  { name: 'list_first_page_50', path: () => '/v1/incidents?status=open&limit=50' },
  { name: 'get_incident', path: (ids) => `/v1/incidents/${ids[Math.floor(ids.length / 2)]}` },
];

async function timedGet(url: string): Promise<{ ms: number; body: { incidents?: unknown[]; next?: string } }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = (await response.json()) as { incidents?: unknown[]; next?: string };
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return { ms: performance.now() - started, body };
}

export async function listAtScale(runtime: LocalRuntime) {
  const ids = ulidGenerator();
  const opened = Date.parse('2026-01-01T00:00:00Z');
  const incidents: Incident[] = Array.from({ length: LIST_INCIDENTS }, (_, i) => {
    const openedAt = new Date(opened + i * 60_000).toISOString();
    const id = ids.next();
    return {
      id,
      number: i + 1,
      title: `bench-list-${i}`,
      severity: 'SEV3',
      status: 'open',
      service: 'bench',
      team: 'ops',
      dedupKey: `bench/list/${i}`,
      source: 'events-v2',
      summary: 'Seeded for the list benchmark',
      openedAt,
      drill: false,
      alertCount: 1,
      lastAlertAt: openedAt,
      details: {},
      run: firstRun({
        by: 'bench',
        at: openedAt,
        ladder: tierLadder(runtime.deps.config, id, 'ops', 'SEV3', openedAt, 1),
      }),
    };
  });
  const seedStarted = performance.now();
  await inParallel(incidents, 16, async (incident) => {
    await runtime.deps.store.createIncident(incident);
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const endpoints: Record<string, { p50_ms: number; p99_ms: number; samples: number }> = {};
  const incidentIds = incidents.map((incident) => incident.id);
  for (const endpoint of LIST_ENDPOINTS) {
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push((await timedGet(`${runtime.url}${endpoint.path(incidentIds)}`)).ms);
    endpoints[endpoint.name] = {
      p50_ms: round(percentile(samples, 50)),
      p99_ms: round(percentile(samples, 99)),
      samples: SAMPLES,
    };
  }

  const walkStarted = performance.now();
  let pages = 0;
  let listed = 0;
  let cursor: string | undefined;
  do {
    const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const { body } = await timedGet(`${runtime.url}/v1/incidents?status=open&limit=100${query}`);
    pages += 1;
    listed += body.incidents?.length ?? 0;
    cursor = body.next;
  } while (cursor);
  return {
    incidents: LIST_INCIDENTS,
    seed_seconds: round(seedSeconds),
    ...endpoints,
    walk_all: { pages, listed, seconds: round((performance.now() - walkStarted) / 1000) },
    scans: runtime.dynamodb.operationCounts.get('ScanCommand') ?? 0,
  };
}
