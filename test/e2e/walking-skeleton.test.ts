/**
 * An alarm in, a page out, an ack, a resolution: on the local runtime, in-process, with the
 * real handlers, dynalite and the escalation ASL on aws-local-stepfunctions.
 */
import type { Incident } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { fixture } from '../support/fixtures.js';
import { call, eventually, incident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

// 600x: the SEV1 ladder's 5-minute step comes after half a second, its 30-minute step after 3 s.
const TIME_SCALE = 600;

describe('an alarm in, a page out, an ack, a resolution', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ timeScale: TIME_SCALE });
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

    const firstPage = await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === incidentId),
      'the first page',
    );
    expect(firstPage.responder).toBe('primary-oncall');
    expect(firstPage.sms).toContain('SEV1');
    expect(firstPage.email).toContain(`Incident: ${incidentId}`);

    // Nobody acknowledges: the "5m unless acknowledged" step pages primary and secondary.
    const secondaryPage = await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.responder === 'secondary-oncall'),
      'the escalation to secondary-oncall',
    );
    expect(secondaryPage.incidentId).toBe(incidentId);

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

    // The ladder's 30-minute step (secondary) is due 3 s after opening; it must never fire now.
    const pagesAtResolve = pagesIn(await outbox(runtime)).filter((page) => page.incidentId === incidentId).length;
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(pagesIn(await outbox(runtime)).filter((page) => page.incidentId === incidentId)).toHaveLength(
      pagesAtResolve,
    );
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
