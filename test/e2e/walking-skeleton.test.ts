/**
 * An alarm in, a page out, an ack, a resolution: on the local runtime, in-process, with the
 * real handlers, dynalite and the escalation ASL on aws-local-stepfunctions.
 */
import type { Incident } from '../../lambdas/core/incident.js';
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { fixture } from '../support/fixtures.js';
import { call, incident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

const MINUTE = 60_000;

describe('an alarm in, a page out, an ack, a resolution', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('pages primary, escalates to secondary while nobody acknowledges, and stops at resolve', async () => {
    const alarm = fixture('eventbridge/alarm-state-change.json');
    const delivered = await call<{ results: { result: { outcome: string; incidentId: string } }[] }>(
      runtime,
      'POST',
      '/_local/events',
      alarm,
    );
    expect(delivered.status).toBe(200);
    const { outcome, incidentId } = delivered.body.results[0]?.result ?? { outcome: '', incidentId: '' };
    expect(outcome).toBe('opened');

    const opened = await incident(runtime, incidentId);
    expect(opened).toMatchObject({ severity: 'SEV1', status: 'open', title: 'orders-api-5xx' });

    const pagesFor = async () => pagesIn(await outbox(runtime)).filter((page) => page.incidentId === incidentId);
    await clock.settle();
    const [firstPage, ...others] = await pagesFor();
    expect(others).toEqual([]);
    expect(firstPage?.responder).toBe('primary-oncall');
    expect(firstPage?.at).toBe(opened.openedAt);
    expect(firstPage?.sms).toContain('SEV1');
    expect(firstPage?.email).toContain(`Incident: #${opened.number} (id ${incidentId})`);

    // A second short of five minutes nobody else is paged; at five, with nobody acknowledging,
    // the "5m unless acknowledged" step pages primary and secondary.
    await clock.advance(5 * MINUTE - 1_000);
    expect(await pagesFor()).toHaveLength(1);
    await clock.advance(1_000);
    expect((await pagesFor()).map((page) => [page.responder, page.at])).toEqual([
      ['primary-oncall', opened.openedAt],
      ['primary-oncall', clock.now().toISOString()],
      ['secondary-oncall', clock.now().toISOString()],
    ]);

    const acked = await call<Incident>(runtime, 'POST', `/v1/incidents/${incidentId}/acknowledge`, {
      by: 'secondary-oncall',
    });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'secondary-oncall' });

    const ok = fixture<{ detail: { state: { value: string } } }>('eventbridge/alarm-state-change.json');
    ok.detail.state.value = 'OK';
    const resolvedByAlarm = await call(runtime, 'POST', '/_local/events', { ...ok, id: 'ok-event-1' });
    expect(resolvedByAlarm.status).toBe(200);

    const resolved = await incident(runtime, incidentId);
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedBy).toBe('alarm:orders-api-5xx');
    expect(resolved.timeline.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['opened', 'escalation-started', 'paged', 'acknowledged', 'resolved']),
    );

    const execution = runtime.stepFunctions.list().find((candidate) => candidate.name === `${incidentId}-r1`);
    expect(execution?.status).toBe('ABORTED');

    // The ladder's later steps (30 m, 1 h, 2 h) come due and page nobody.
    await clock.advance(3 * 60 * MINUTE);
    expect(await pagesFor()).toHaveLength(3);
  });

  it('opens exactly one incident and one execution for 20 concurrent posts of the same alarm', async () => {
    const alarm = fixture<{ detail: { alarmName: string }; resources: string[] }>(
      'eventbridge/alarm-state-change.json',
    );
    alarm.detail.alarmName = 'checkout-latency';
    alarm.resources = ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-latency'];
    const before = runtime.stepFunctions.list().length;

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(runtime, 'POST', '/_local/events', { ...alarm, id: `dup-${i}` })),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));

    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open');
    const matching = open.body.incidents.filter((item) => item.title === 'checkout-latency');
    expect(matching).toHaveLength(1);
    expect(matching[0]?.alertCount).toBe(20);
    expect(runtime.stepFunctions.list().length - before).toBe(1);
  });

  it('never sends a Scan to DynamoDB', () => {
    expect(runtime.dynamodb.operationCounts.get('ScanCommand') ?? 0).toBe(0);
    expect(runtime.dynamodb.operationCounts.get('QueryCommand')).toBeGreaterThan(0);
  });
});
