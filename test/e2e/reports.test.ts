/**
 * The monthly report on 10,000 incidents with known times equals the figures worked out by hand
 * below. The incidents are written straight into dynalite through the store (what intake would
 * have stored), then read back by the report through the opened-month index.
 */
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { incidentItem } from '../../lambdas/adapters/dynamo-incident-store.js';
import { SEVERITIES } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { IncidentReport } from '../../lambdas/core/reports.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { anIncident } from '../support/incidents.js';
import { call, startTestRuntime } from '../support/local.js';

const NOVEMBER = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Incident i (0…9999) opens at November 1st + 4 min × i, severity SEV(1 + i mod 4). Within its
 * severity it is the k-th (k = ⌊i/4⌋, 0…2499), and with m = k + 1:
 *  - it is acknowledged after 10·m seconds, unless m is a multiple of 5 (never acknowledged);
 *  - it is resolved after 60·m seconds, unless m is a multiple of 10 (still open);
 *  - it escalated when k is a multiple of 4;
 *  - it came from `svc-(i mod 7)` via cloudwatch (even i) or events-v2 (odd i).
 */
function generated(i: number): Incident {
  const k = Math.floor(i / 4);
  const m = k + 1;
  const openedAt = NOVEMBER + i * 240_000;
  const acknowledgedAt = m % 5 === 0 ? undefined : iso(openedAt + 10_000 * m);
  const resolvedAt = m % 10 === 0 ? undefined : iso(openedAt + 60_000 * m);
  return anIncident({
    id: `R${String(i).padStart(6, '0')}`,
    severity: SEVERITIES[i % 4],
    status: resolvedAt ? 'resolved' : acknowledgedAt ? 'acknowledged' : 'open',
    source: i % 2 === 0 ? 'cloudwatch' : 'events-v2',
    service: `svc-${i % 7}`,
    dedupKey: `report-${i}`,
    openedAt: iso(openedAt),
    acknowledgedAt,
    resolvedAt,
    escalatedAt: k % 4 === 0 ? iso(openedAt + 300_000) : undefined,
  });
}

/** Outside the month or drills: none of these may count. */
function leftOut(): Incident[] {
  const outside = [
    anIncident({ id: 'OCT', openedAt: '2026-10-31T23:59:59.999Z', dedupKey: 'oct' }),
    anIncident({ id: 'DEC', openedAt: '2026-12-01T00:00:00.000Z', dedupKey: 'dec' }),
  ];
  const drills = Array.from({ length: 50 }, (_, i) =>
    anIncident({ id: `DRILL${i}`, drill: true, openedAt: iso(NOVEMBER + i * 1000), dedupKey: `drill-${i}` }),
  );
  return [...outside, ...drills];
}

/**
 * The incidents as the store writes them, 25 to a BatchWriteItem: the report reads the table, and
 * ten thousand one-by-one creations (each with its number's lookup item) would be most of the
 * test's time.
 */
async function writeAll(runtime: LocalRuntime, incidents: Incident[]): Promise<void> {
  const doc = DynamoDBDocumentClient.from(runtime.dynamodb.client);
  const batches: Incident[][] = [];
  for (let start = 0; start < incidents.length; start += 25) batches.push(incidents.slice(start, start + 25));
  const writer = async () => {
    for (let batch = batches.pop(); batch; batch = batches.pop()) {
      let requests = batch.map((incident) => ({ PutRequest: { Item: incidentItem(incident) } }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await doc.send(
          new BatchWriteCommand({ RequestItems: { [runtime.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[runtime.tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
}

describe('monthly report', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
    await writeAll(runtime, [...Array.from({ length: 10_000 }, (_, i) => generated(i)), ...leftOut()]);
  }, 120_000);
  afterAll(async () => {
    await runtime.stop();
  });

  it('equals the hand-computed figures on 10,000 incidents, leaving drills and other months out', async () => {
    const reply = await call<IncidentReport>(
      runtime,
      'GET',
      '/v1/reports?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ incidents: 10_000, drillsLeftOut: 50, escalated: 2500, escalationRate: 0.25 });
    // Per severity, m = 1…2500 with 2000 acknowledged (m not a multiple of 5) and 2250 resolved
    // (m not a multiple of 10). Quantiles interpolate between ranks: position (n − 1)·q.
    //  MTTA median: position 999.5 of the m's left, between m = 1249 and 1251 → m = 1250 → 12,500 s.
    //  MTTA p90: position 1799.1, between m = 2249 and 2251 → 2249.2 → 22,492 s.
    //  MTTR median: position 1124.5, between m = 1249 and 1251 → 1250 → 75,000 s.
    //  MTTR p90: position 2024.1, between m = 2249 and 2251 → 2249.2 → 134,952 s.
    for (const severity of SEVERITIES) {
      expect(reply.body.bySeverity.find((figures) => figures.severity === severity)).toEqual({
        severity,
        incidents: 2500,
        acknowledged: 2000,
        resolved: 2250,
        escalated: 625,
        escalationRate: 0.25,
        timeToAcknowledge: { count: 2000, medianSeconds: 12_500, p90Seconds: 22_492 },
        timeToResolve: { count: 2250, medianSeconds: 75_000, p90Seconds: 134_952 },
      });
    }
    // i mod 14 picks the (source, service) pair: residues 0–3 get 715 incidents, the other ten 714;
    // ties go alphabetically.
    expect(reply.body.topSources).toEqual([
      { source: 'cloudwatch', service: 'svc-0', incidents: 715 },
      { source: 'cloudwatch', service: 'svc-2', incidents: 715 },
      { source: 'events-v2', service: 'svc-1', incidents: 715 },
      { source: 'events-v2', service: 'svc-3', incidents: 715 },
      { source: 'cloudwatch', service: 'svc-1', incidents: 714 },
    ]);
  });

  it("renders the runbooks' monthly report as Markdown", async () => {
    const reply = await call<string>(
      runtime,
      'GET',
      '/v1/reports?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=markdown',
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('## Incident Report: November 2026');
    expect(reply.body).toContain('- **Total Incidents**: 10000 (50 drill(s) left out)');
    expect(reply.body).toContain('| SEV-1 | 2500 | 3h 28m | 6h 14m | 20h 50m | 1d 13h 29m | 25.0% |');
    expect(reply.body).toContain('1. svc-0 via cloudwatch (715)');
  });

  it('counts an incident opened exactly at "from" and refuses a range that ends before it starts', async () => {
    const firstMinute = await call<IncidentReport>(
      runtime,
      'GET',
      '/v1/reports?from=2026-11-01T00:00:00Z&to=2026-11-01T00:01:00Z',
    );
    expect(firstMinute.body).toMatchObject({ incidents: 1, drillsLeftOut: 50 });
    const backwards = await call<{ message: string }>(
      runtime,
      'GET',
      '/v1/reports?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toContain('"from" must be before "to"');
  });

  it('answers a range of up to 24 months, and refuses a longer one at once with a 400 that names the limit', async () => {
    const twoYears = await call<IncidentReport>(
      runtime,
      'GET',
      '/v1/reports?from=2025-12-01T00:00:00Z&to=2027-12-01T00:00:00Z',
    );
    expect(twoYears.status).toBe(200);
    expect(twoYears.body.incidents).toBe(10_002); // November, and the two just outside it

    // At one Query per month, eleven centuries (13,200 Queries) would outlast API Gateway's 30 s.
    const centuries = await call<{ message: string }>(
      runtime,
      'GET',
      '/v1/reports?from=1000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z',
    );
    expect(centuries.status).toBe(400);
    expect(centuries.body.message).toContain('at most 24 months');
    const oneMonthTooMany = await call(runtime, 'GET', '/v1/reports?from=2025-12-01T00:00:00Z&to=2027-12-01T00:00:01Z');
    expect(oneMonthTooMany.status).toBe(400);
  });
});
