/**
 * A crash between two writes is repaired by the sender's retry: the data layer has no
 * transactions, so every use case must finish what an interrupted attempt started.
 */
import { scopedDedupKey } from '../../lambdas/core/alert.js';
import { alertFromAlarmEvent } from '../../lambdas/core/alert-sources.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { receiveAlert } from '../../lambdas/core/intake.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { alarmStateChange, fixture } from '../support/fixtures.js';
import {
  call,
  eventsIn,
  eventsV2DedupKey,
  eventually,
  incident,
  openIncident,
  outbox,
  pagesIn,
  remindersIn,
  startTestRuntime,
} from '../support/local.js';

describe('crash between writes', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterEach(() => {
    runtime.dynamodb.faults.clear();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const eventsFor = async (incidentId: string, detailType: string) =>
    eventsIn(await outbox(runtime), { detailType, incidentId });
  /** Opened and its first page recorded, so nothing else writes to the table while the test acts. */
  const quietIncident = async (summary: string): Promise<Incident> => {
    const opened = await openIncident(runtime, summary, 'warning');
    await eventually(
      async () => (await incident(runtime, opened.id)).timeline.some((entry) => entry.type === 'paged') || undefined,
      'the first page on the timeline',
    );
    return opened;
  };

  it('an acknowledgement whose timeline write failed is not denied by the 5xx, and its retry records it and its event once', async () => {
    const { id } = await quietIncident('ack write fails after the status');
    // The status write succeeds; the next PutItem (the timeline entry) fails all its SDK attempts.
    runtime.dynamodb.faults.inject({ operation: 'PutItem', kind: 'internal-error', attempts: 3 });
    const first = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, {
      by: 'primary-oncall',
    });
    expect(first.status).toBe(503);
    expect(first.body.message).not.toContain('Nothing was acknowledged');
    expect((await incident(runtime, id)).status).toBe('acknowledged');

    const retry = await call<Incident>(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { by: 'primary-oncall' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'primary-oncall' });
    const again = await call(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { by: 'primary-oncall' });
    expect(again.status).toBe(200);
    const repaired = await incident(runtime, id);
    // Published at least once (the first attempt's copy may have gone out): every copy is the one acknowledgement.
    const events = await eventsFor(id, 'Incident Acknowledged');
    expect({
      timelineEntries: repaired.timeline.filter((entry) => entry.type === 'acknowledged').length,
      published: events.length > 0,
      acknowledgedAt: new Set(events.map((event) => event.detail.at)),
    }).toEqual({ timelineEntries: 1, published: true, acknowledgedAt: new Set([repaired.acknowledgedAt]) });
  });

  it('a resolve retried after its timeline write failed finishes the resolution: entry, event, freed dedup key, notice', async () => {
    const { id, dedupKey } = await quietIncident('resolve write fails after the status');
    // The status write succeeds; freeing the dedup key (an UpdateItem of its DEDUP record) fails all its SDK attempts.
    runtime.dynamodb.faults.inject({
      operation: 'UpdateItem',
      kind: 'internal-error',
      attempts: 3,
      mentioning: '"S":"DEDUP"',
    });
    const first = await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'primary-oncall', note: 'fixed' });
    expect(first.status).toBe(503);
    expect((await incident(runtime, id)).status).toBe('resolved');

    // The responder (or the CLI) retries, as the 503 told them to.
    const retry = await call<Incident>(runtime, 'POST', `/v1/incidents/${id}/resolve`, {
      by: 'primary-oncall',
      note: 'fixed',
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'resolved', resolvedBy: 'primary-oncall' });
    await eventually(
      async () =>
        remindersIn(await outbox(runtime), 'resolution').some((message) => message.incidentId === id) || undefined,
      'the resolution notice',
    );
    // Resolved for good now: a further resolve is refused as before.
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'primary-oncall' })).status).toBe(409);
    const shown = await incident(runtime, id);
    expect({
      timeline: shown.timeline.filter((entry) => entry.type === 'resolved').map((entry) => entry.message),
      resolvedAt: new Set((await eventsFor(id, 'Incident Resolved')).map((event) => event.detail.at)),
      dedupKeyHeld: (await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, dedupKey))) !== undefined,
      resolutionNotices: remindersIn(await outbox(runtime), 'resolution').filter((message) => message.incidentId === id)
        .length,
    }).toEqual({
      timeline: ['Resolved by primary-oncall: fixed'],
      resolvedAt: new Set([shown.resolvedAt]),
      dedupKeyHeld: false,
      resolutionNotices: 1,
    });
  });

  it('a retry after a crash between the dedup claim and the incident write opens that incident and pages', async () => {
    const alarmArn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-5xx';
    // The first attempt claimed the dedup key for an incident id and died before writing the incident.
    await runtime.deps.store.claimDedupKey(
      scopedDedupKey({ source: 'cloudwatch', dedupKey: alarmArn }),
      '01CRASHEDBEFOREWRITE000000',
      new Date().toISOString(),
    );

    const retry = await call(runtime, 'POST', '/_local/events', fixture('eventbridge/alarm-state-change.json'));
    expect(retry.status).toBe(200);

    const repaired = await incident(runtime, '01CRASHEDBEFOREWRITE000000');
    expect(repaired).toMatchObject({ status: 'open', severity: 'SEV1' });
    expect(repaired.run).toMatchObject({ number: 1, ladder: { executionName: '01CRASHEDBEFOREWRITE000000-r1' } });
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === repaired.id),
      'the page for the repaired incident',
    );
  });

  it('an alarm after a resolution that died before freeing the dedup key opens a new incident', async () => {
    const alarm = fixture<{ detail: { alarmName: string }; resources: string[] }>(
      'eventbridge/alarm-state-change.json',
    );
    alarm.detail.alarmName = 'payments-5xx';
    alarm.resources = ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-5xx'];
    const first = await call<{ results: { result: { incidentId: string } }[] }>(
      runtime,
      'POST',
      '/_local/events',
      alarm,
    );
    const firstId = first.body.results[0]?.result.incidentId ?? '';
    // Resolve without freeing the key: the state a crash after the status write leaves behind.
    // Long enough ago that the alarm is outside the reopen window (inside it, it would reopen).
    const opened = await incident(runtime, firstId);
    await runtime.deps.store.transition(
      opened,
      ['open'],
      { status: 'resolved', resolvedAt: new Date(Date.now() - 2 * 3600_000).toISOString() },
      { episode: 1 },
    );

    const again = await call<{ results: { result: { outcome: string; incidentId: string } }[] }>(
      runtime,
      'POST',
      '/_local/events',
      { ...alarm, id: 'second-alarm' },
    );
    expect(again.body.results[0]?.result.outcome).toBe('opened');
    expect(again.body.results[0]?.result.incidentId).not.toBe(firstId);
  });

  it('an OK after a crash that cut the opening short stops its ladder, so a reopen walks only its own', async () => {
    const name = 'unrecorded-ladder';
    const alarm = (state: 'ALARM' | 'OK', id: string) => {
      const alert = alertFromAlarmEvent(runtime.config, alarmStateChange({ name, state, id }));
      if (!alert) throw new Error(`no alert from ${state}`);
      return alert;
    };
    const deps = runtime.intakeDeps;
    // The first ALARM starts the ladder, then dies before answering (the sender gets a 5xx).
    const crashing: typeof deps.escalation = {
      ...deps.escalation,
      start: async (input) => {
        await deps.escalation.start(input);
        throw new Error('injected: crash after the ladder started');
      },
    };
    await expect(receiveAlert({ ...deps, escalation: crashing }, alarm('ALARM', 'unrecorded-a1'))).rejects.toThrow(
      'injected',
    );
    const id = (await deps.store.findByDedupKey(scopedDedupKey(alarm('ALARM', 'any')))) ?? '';
    const running = () =>
      runtime.stepFunctions
        .list()
        .filter((execution) => execution.input.incidentId === id && execution.status === 'RUNNING')
        .map((execution) => execution.name);
    expect(running()).toEqual([`${id}-r1`]);

    // The alarm is back to OK before the ALARM is retried: resolving stops that ladder.
    expect((await receiveAlert(deps, alarm('OK', 'unrecorded-o1'))).outcome).toBe('resolved');
    expect(running()).toEqual([]);

    // It flaps back: the reopened incident walks one ladder, its own (run 2), not two.
    expect((await receiveAlert(deps, alarm('ALARM', 'unrecorded-a2'))).outcome).toBe('reopened');
    expect(running()).toEqual([`${id}-r2`]);
  });

  it("the incident's 'opened' entry is written even when another delivery of the alarm starts the ladder before the opener's retry", async () => {
    const name = 'lost-opened-entry';
    const alarm = (id: string) => {
      const alert = alertFromAlarmEvent(runtime.config, alarmStateChange({ name, state: 'ALARM', id }));
      if (!alert) throw new Error('no alert');
      return alert;
    };
    const deps = runtime.intakeDeps;
    // The first delivery writes the incident, then its 'opened' entry write fails (a 5xx to the sender).
    const failing: typeof deps.store = {
      ...deps.store,
      appendTimeline: async (...args) => {
        if (args[1] === 'opened') throw new Error('injected: DynamoDB unavailable');
        return deps.store.appendTimeline(...args);
      },
    };
    const first = alarm('opened-eb-first');
    await expect(receiveAlert({ ...deps, store: failing }, first)).rejects.toThrow('injected');

    // The same alarm's other delivery (its SNS copy) comes first and finishes the run...
    const other = await receiveAlert(deps, alarm('opened-sns-copy'));
    const id = 'incident' in other ? other.incident.id : '';
    // ...then the first delivery's retry.
    await receiveAlert(deps, first);

    const stored = await incident(runtime, id);
    expect(stored.timeline.filter((entry) => entry.type === 'escalation-started')).toHaveLength(1);
    expect(stored.timeline.filter((entry) => entry.type === 'opened')).toEqual([
      expect.objectContaining({ deliveryId: first.deliveryId, by: 'alarm:cloudwatch', at: stored.openedAt }),
    ]);
  });
});
