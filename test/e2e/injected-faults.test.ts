/**
 * Faults injected where they happen on AWS: DynamoDB throttles and 500s answered through the
 * SDK (a middleware inside its retry loop, not a mocked store), SNS throttling a page. The alert
 * sender must see a 5xx, nothing may be left half-done, and its retry must complete the work.
 */
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, eventsV2DedupKey, LOCAL_ROUTING_KEY, outbox, pagesIn, startTestRuntime } from '../support/local.js';

const trigger = (dedupKey: string) => ({
  routing_key: LOCAL_ROUTING_KEY,
  event_action: 'trigger',
  dedup_key: dedupKey,
  payload: { summary: `Fault drill ${dedupKey}`, source: 'bench.local', severity: 'critical' },
});

describe('injected faults', () => {
  let runtime: LocalRuntime;
  // The ladders only move when a test moves the clock: no page or reminder of an earlier test's
  // incident runs meanwhile and takes a fault meant for the request under test.
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterEach(async () => {
    await clock.settle();
    runtime.dynamodb.faults.clear();
    runtime.outbox.throttleNextPublishes(0);
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const executionsFor = (incidentId: string) =>
    runtime.stepFunctions.list().filter((execution) => execution.input.incidentId === incidentId);

  it('a throttled dedup write answers the sender 5xx with nothing stored, and the retry opens one incident that pages', async () => {
    const key = 'faults/throttled-claim';
    runtime.dynamodb.faults.inject({ operation: 'PutItem', kind: 'throttling', attempts: 3 });

    const first = await call(runtime, 'POST', '/v1/alerts/events', trigger(key));
    expect(first.status).toBe(503);
    expect(runtime.dynamodb.faults.pending).toBe(0);
    expect(await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, key))).toBe(undefined);

    const retry = await call(runtime, 'POST', '/v1/alerts/events', trigger(key));
    expect(retry.status).toBe(202);
    const incidentId = await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, key));
    expect(incidentId).toEqual(expect.any(String));
    expect(executionsFor(incidentId ?? '')).toHaveLength(1);
    await clock.settle();
    expect(pagesIn(await outbox(runtime)).filter((page) => page.incidentId === incidentId)).toHaveLength(1);
  });

  it('a DynamoDB 500 on the incident write after the dedup claim answers 5xx, and the retry writes that incident once', async () => {
    const key = 'faults/500-on-incident-write';
    // Every attempt of the incident write (one call; the claim and the timeline entries go through).
    runtime.dynamodb.faults.inject({
      operation: 'PutItem',
      kind: 'internal-error',
      attempts: 3,
      mentioning: '"kind":{"S":"incident"}',
    });

    const first = await call(runtime, 'POST', '/v1/alerts/events', trigger(key));
    expect(first.status).toBe(503);
    const claimedId = await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, key));
    expect(claimedId).toEqual(expect.any(String));
    expect(await runtime.deps.store.getIncident(claimedId ?? '')).toBe(undefined);
    expect(executionsFor(claimedId ?? '')).toHaveLength(0);

    const retry = await call(runtime, 'POST', '/v1/alerts/events', trigger(key));
    expect(retry.status).toBe(202);
    const repaired = await runtime.deps.store.getIncidentWithTimeline(claimedId ?? '');
    expect(repaired).toMatchObject({ id: claimedId, status: 'open', severity: 'SEV1', alertCount: 1 });
    expect(repaired?.timeline.filter((entry) => entry.type === 'opened')).toHaveLength(1);
    expect(executionsFor(claimedId ?? '')).toHaveLength(1);
  });

  it('a throttled GetItem is retried by the SDK and the sender never notices', async () => {
    runtime.dynamodb.faults.inject({ operation: 'GetItem', kind: 'throttling', attempts: 2 });
    const reply = await call(runtime, 'POST', '/v1/alerts/events', trigger('faults/absorbed-throttle'));
    expect(reply.status).toBe(202);
    expect(runtime.dynamodb.faults.pending).toBe(0);
  });

  it('an SNS throttle inside a ladder step is retried by the state machine and the ladder goes on to its next step', async () => {
    // The fallback channel after the retries run out is not built yet; this covers Retry and continue.
    runtime.outbox.throttleNextPublishes(2);
    const reply = await call(runtime, 'POST', '/v1/alerts/events', trigger('faults/sns-throttled'));
    expect(reply.status).toBe(202);
    const incidentId = await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, 'faults/sns-throttled'));

    // SEV1: step 0 pages primary; step 1 (5 min) pages primary and secondary.
    await clock.advance(5 * 60_000);
    const secondary = pagesIn(await outbox(runtime)).filter(
      (page) => page.incidentId === incidentId && page.responder === 'secondary-oncall',
    );
    expect(secondary).toHaveLength(1);
    const execution = executionsFor(incidentId ?? '')[0];
    expect(execution?.statesEntered.filter((state) => state === 'Page the responders').length).toBeGreaterThanOrEqual(
      2,
    );
    const stepZeroPages = pagesIn(await outbox(runtime)).filter(
      (page) => page.incidentId === incidentId && page.responder === 'primary-oncall',
    );
    expect(stepZeroPages.length).toBeGreaterThanOrEqual(1);
    const timeline = (await runtime.deps.store.getIncidentWithTimeline(incidentId ?? ''))?.timeline ?? [];
    expect(timeline.filter((entry) => entry.type === 'paged' && entry.step === 0)).toHaveLength(1);
  });

  it("a repeat alert whose count update fails is counted by the sender's retry, once", async () => {
    const key = 'faults/repeat-count';
    const repeat = (summary: string) => ({ ...trigger(key), payload: { ...trigger(key).payload, summary } });
    expect((await call(runtime, 'POST', '/v1/alerts/events', repeat('first'))).status).toBe(202);
    await clock.settle();
    // Every attempt of the repeat's count update fails: the sender gets a 5xx and retries.
    runtime.dynamodb.faults.inject({ operation: 'UpdateItem', kind: 'internal-error', attempts: 3 });
    expect((await call(runtime, 'POST', '/v1/alerts/events', repeat('second'))).status).toBe(503);
    expect((await call(runtime, 'POST', '/v1/alerts/events', repeat('second'))).status).toBe(202);

    const incidentId = await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, key));
    const stored = await runtime.deps.store.getIncidentWithTimeline(incidentId ?? '');
    expect(stored?.alertCount).toBe(2);
    expect(stored?.timeline.filter((entry) => entry.type === 'alert')).toHaveLength(1);
  });
});
