/**
 * Flapping alarms: an alarm back in ALARM within its tier's reopen window reopens the resolved
 * incident (on the timeline, with a ladder of its own) instead of opening a new one.
 */
import { scopedDedupKey } from '../../lambdas/core/alert.js';
import { alertFromAlarmEvent } from '../../lambdas/core/alert-sources.js';
import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { receiveAlert } from '../../lambdas/core/intake.js';
import { resolveIncident } from '../../lambdas/core/responder-actions.js';
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { alarmStateChange } from '../support/fixtures.js';
import {
  call,
  eventsIn,
  eventually,
  incident,
  outbox,
  pagesIn,
  startTestRuntime,
  testConfig,
} from '../support/local.js';

type RuleReply = { results: { result: { outcome: string; incidentId: string } }[] };

describe('flapping alarms and the reopen window', () => {
  let runtime: LocalRuntime;
  // From the real time: the alarm fixtures are stamped with it.
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    // SEV3 alarms get a one-second window; SEV1 keeps the default 30 minutes.
    runtime = await startTestRuntime({
      clock,
      config: parseConfig({ ...testConfig(), alertPolicy: { SEV3: { reopenWindow: '1s' } } }),
    });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  let delivery = 0;
  const send = async (name: string, state: 'ALARM' | 'OK', description: string) => {
    const event = alarmStateChange({ name, state, id: `flap-${++delivery}`, description });
    const reply = await call<RuleReply>(runtime, 'POST', '/_local/events', event);
    expect(reply.status).toBe(200);
    return reply.body.results[0]?.result ?? { outcome: '', incidentId: '' };
  };
  const pagesFor = async (id: string) => pagesIn(await outbox(runtime)).filter((page) => page.incidentId === id);

  it('reopens the incident when the alarm is back within the window, and pages again on a new ladder', async () => {
    const opened = await send('api-flap', 'ALARM', 'severity=SEV1 api flapping');
    await eventually(async () => (await pagesFor(opened.incidentId)).length === 1 || undefined, 'the first page');
    const ack = await call(runtime, 'POST', `/v1/incidents/${opened.incidentId}/acknowledge`, { by: 'primary-oncall' });
    expect(ack.status).toBe(200);
    expect((await send('api-flap', 'OK', 'severity=SEV1 api flapping')).outcome).toBe('resolved');

    const again = await send('api-flap', 'ALARM', 'severity=SEV1 api flapping');
    expect(again).toEqual({ outcome: 'reopened', incidentId: opened.incidentId });
    const reopened = await incident(runtime, opened.incidentId);
    expect(reopened).toMatchObject({ status: 'open', run: { episode: 2, cause: 'reopened' } });
    // No longer resolved: the resolution it had is cleared (and named in the reopen entry).
    expect(reopened).not.toHaveProperty('resolvedAt');
    expect(reopened).not.toHaveProperty('resolvedBy');
    // Nor acknowledged: the new run waits for someone to answer it, and the console shows it open.
    expect(reopened).not.toHaveProperty('acknowledgedAt');
    expect(reopened).not.toHaveProperty('acknowledgedBy');
    const reopenedEvent = await eventually(
      async () =>
        (await outbox(runtime)).find(
          (message) =>
            message.service === 'events' &&
            message.detailType === 'Incident Reopened' &&
            message.detail.incident.id === opened.incidentId,
        ),
      'the Incident Reopened event',
    );
    expect(reopenedEvent).toMatchObject({
      detail: {
        kind: 'reopened',
        episode: 2,
        previousAcknowledgedBy: 'primary-oncall',
        incident: { status: 'open' },
      },
    });
    expect(reopened.run).toMatchObject({ number: 2, episode: 2, cause: 'reopened' });
    expect(reopened.timeline.find((entry) => entry.type === 'reopened')?.message).toContain(
      'came back within the 30m reopen window',
    );
    expect(reopened.timeline.find((entry) => entry.type === 'reopened')).toMatchObject({
      previousAcknowledgedBy: 'primary-oncall',
      message: expect.stringContaining('it had been acknowledged by primary-oncall'),
    });
    expect(runtime.stepFunctions.list().find((execution) => execution.name === `${opened.incidentId}-r2`)?.status).toBe(
      'RUNNING',
    );
    await eventually(async () => (await pagesFor(opened.incidentId)).length === 2 || undefined, 'the page on reopen');

    // Concurrent repeats of the flapping alarm still make one incident.
    const repeats = await Promise.all(
      [1, 2, 3, 4, 5].map(() => send('api-flap', 'ALARM', 'severity=SEV1 api flapping')),
    );
    expect(new Set(repeats.map((result) => result.incidentId))).toEqual(new Set([opened.incidentId]));
  });

  it('an alarm back in ALARM while its OK is still being resolved reopens the one incident, and its next alert joins it', async () => {
    const name = 'race-resolve-reopen';
    const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
    const alarm = (state: 'ALARM' | 'OK') => {
      const event = alarmStateChange({ name, state, id: `flap-${++delivery}` });
      event.detail.state.timestamp = new Date().toISOString();
      const alert = alertFromAlarmEvent(runtime.config, event);
      if (!alert) throw new Error(`no alert from ${state}`);
      return alert;
    };
    const deps = runtime.intakeDeps;
    const opened = await receiveAlert(deps, alarm('ALARM'));
    expect(opened.outcome).toBe('opened');
    const id = 'incident' in opened ? opened.incident.id : '';

    // The OK's resolution is written; the next ALARM arrives before it frees the dedup key.
    let reopened: Awaited<ReturnType<typeof receiveAlert>> | undefined;
    const racingStore: typeof deps.store = {
      ...deps.store,
      releaseDedupKey: async (...args) => {
        reopened = await receiveAlert(deps, alarm('ALARM'));
        return deps.store.releaseDedupKey(...args);
      },
    };
    await resolveIncident({ ...deps, store: racingStore }, id, `alarm:${name}`, { refuseIfResolved: false });
    expect(reopened?.outcome).toBe('reopened');
    expect((await incident(runtime, id)).status).toBe('open');

    // The reopened incident keeps its dedup key, so the alarm's next notification joins it
    // instead of opening (and paging for) a second incident.
    expect(await deps.store.findByDedupKey(scopedDedupKey({ source: 'cloudwatch', dedupKey: arn }))).toBe(id);
    const next = await receiveAlert(deps, alarm('ALARM'));
    expect(next).toMatchObject({ outcome: 'deduplicated', incident: { id } });
    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
    expect(open.body.incidents.filter((item) => item.dedupKey === arn).map((item) => item.id)).toEqual([id]);
  });

  it('a reopened incident shows its second acknowledgement and second resolution on the timeline and in the post-mortem draft', async () => {
    const description = 'severity=SEV1 checkout flapping';
    const { incidentId: id } = await send('checkout-flap', 'ALARM', description);
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { by: 'primary-oncall' })).status).toBe(200);
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'primary-oncall' })).status).toBe(200);
    expect((await send('checkout-flap', 'ALARM', description)).outcome).toBe('reopened');

    const ack = await call<Incident>(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { by: 'secondary-oncall' });
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'secondary-oncall' });
    const resolved = await call<Incident>(runtime, 'POST', `/v1/incidents/${id}/resolve`, {
      by: 'secondary-oncall',
      note: 'rolled back for good',
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'secondary-oncall' });

    const messages = (await incident(runtime, id)).timeline.map((entry) => entry.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Acknowledged by primary-oncall',
        'Resolved by primary-oncall',
        'Acknowledged by secondary-oncall',
        'Resolved by secondary-oncall: rolled back for good',
      ]),
    );
    const draft = await call<string>(runtime, 'GET', `/v1/incidents/${id}/postmortem`);
    expect(draft.body).toContain('Resolved by secondary-oncall: rolled back for good');
  });

  it('a reopen publishes Incident Reopened and no second Incident Opened, and its ladder start is on the timeline', async () => {
    const description = 'severity=SEV1 search flapping';
    const { incidentId: id } = await send('search-flap', 'ALARM', description);
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'primary-oncall' })).status).toBe(200);
    expect((await send('search-flap', 'ALARM', description)).outcome).toBe('reopened');

    const eventsFor = async (detailType: string) => eventsIn(await outbox(runtime), { detailType, incidentId: id });
    await eventually(async () => (await eventsFor('Incident Reopened')).length === 1 || undefined, 'the reopen event');
    expect((await eventsFor('Incident Opened')).length).toBe(1);
    const started = (await incident(runtime, id)).timeline.filter((entry) => entry.type === 'escalation-started');
    expect(started.map((entry) => entry.run)).toEqual([1, 2]);
  });

  it('opens a new incident once the window has passed', async () => {
    const first = await send('disk-flap', 'ALARM', 'severity=SEV3 disk');
    await send('disk-flap', 'OK', 'severity=SEV3 disk');
    const resolvedAt = Date.parse((await incident(runtime, first.incidentId)).resolvedAt ?? '');
    await clock.advanceTo(resolvedAt + 1_001);

    const later = await send('disk-flap', 'ALARM', 'severity=SEV3 disk');
    expect(later.outcome).toBe('opened');
    expect(later.incidentId).not.toBe(first.incidentId);
    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
    expect(open.body.incidents.filter((item) => item.title === 'disk-flap')).toHaveLength(1);
  });

  it('an ALARM delivered after the OK that followed it reopens nothing and pages nobody; a later ALARM reopens', async () => {
    const name = 'late-alarm-copy';
    const change = async (state: 'ALARM' | 'OK', id: string, at: string) => {
      const reply = await call<RuleReply>(runtime, 'POST', '/_local/events', alarmStateChange({ name, state, id, at }));
      expect(reply.status).toBe(200);
      return reply.body.results[0]?.result ?? { outcome: '', incidentId: '' };
    };
    const t1 = '2026-12-01T10:00:00.000Z';
    const opened = await change('ALARM', 'late-a1', t1);
    expect(opened.outcome).toBe('opened');
    await eventually(async () => (await pagesFor(opened.incidentId)).length === 1 || undefined, 'the first page');
    expect((await change('OK', 'late-o1', '2026-12-01T10:04:00.000Z')).outcome).toBe('resolved');

    // The T1 ALARM again, in another delivery (a second copy, or a retry the delivery record never saw).
    const late = await change('ALARM', 'late-a1-copy', t1);
    expect(late).toEqual({ outcome: 'stale', incidentId: opened.incidentId });
    const after = await incident(runtime, opened.incidentId);
    expect(after).toMatchObject({ status: 'resolved' });
    expect(after.run).toMatchObject({ number: 1, episode: 1 });
    expect(after.timeline.find((entry) => entry.deliveryId === 'eventbridge:late-a1-copy')?.message).toBe(
      `Ignored a trigger from cloudwatch sent at ${t1}: not after the resolve sent at 2026-12-01T10:04:00.000Z that ended this incident`,
    );
    const executions = () => runtime.stepFunctions.list().filter((run) => run.input.incidentId === opened.incidentId);
    expect(executions().map((run) => run.status)).toEqual(['ABORTED']);
    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
    expect(open.body.incidents.filter((item) => item.title === name)).toEqual([]);

    // A change after the OK is the alarm back: it reopens and pages again.
    expect(await change('ALARM', 'late-a2', '2026-12-01T10:09:00.000Z')).toEqual({
      outcome: 'reopened',
      incidentId: opened.incidentId,
    });
    await eventually(async () => (await pagesFor(opened.incidentId)).length === 2 || undefined, 'the page on reopen');
    expect(await incident(runtime, opened.incidentId)).not.toHaveProperty('resolveSenderTime');
  });

  it('an ALARM older than an OK whose resolution was cut short before freeing the key is stale too, and the OK retry finishes', async () => {
    const name = 'late-alarm-unreleased';
    const alarm = (state: 'ALARM' | 'OK', id: string, at: string) => {
      const alert = alertFromAlarmEvent(runtime.config, alarmStateChange({ name, state, id, at }));
      if (!alert) throw new Error(`no alert from ${state}`);
      return alert;
    };
    const deps = runtime.intakeDeps;
    const t1 = '2026-12-01T11:00:00.000Z';
    const opened = await receiveAlert(deps, alarm('ALARM', 'unreleased-a1', t1));
    const id = 'incident' in opened ? opened.incident.id : '';
    // The OK is written as a resolution, then fails before its dedup key is freed (the sender gets a 5xx).
    const failing: typeof deps.store = {
      ...deps.store,
      releaseDedupKey: async () => {
        throw new Error('injected: DynamoDB unavailable');
      },
    };
    const ok = alarm('OK', 'unreleased-o1', '2026-12-01T11:04:00.000Z');
    await expect(receiveAlert({ ...deps, store: failing }, ok)).rejects.toThrow('injected');
    const key = scopedDedupKey(ok);
    expect(await deps.store.findByDedupKey(key)).toBe(id);

    expect(await receiveAlert(deps, alarm('ALARM', 'unreleased-a1-copy', t1))).toMatchObject({
      outcome: 'stale',
      incident: { id, status: 'resolved' },
    });
    expect(runtime.stepFunctions.list().filter((run) => run.input.incidentId === id)).toHaveLength(1);
    // The OK's retry frees the key.
    expect((await receiveAlert(deps, ok)).outcome).toBe('resolved');
    expect(await deps.store.findByDedupKey(key)).toBeUndefined();
  });
});
