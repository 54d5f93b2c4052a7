/**
 * A storage failure in the middle of an SNS delivery answers 5xx; SNS's retry of the very same
 * message (same MessageId, same signature) then completes the work: one incident, one execution.
 * A delivery is recorded as processed only at the end, so the retry of one cut short is never
 * taken for a replay.
 */

import type { LocalRuntime } from '../../local/runtime.js';
import type { SnsEnvelope } from '../../local/sns-stand-in.js';
import { fixtureText } from '../support/fixtures.js';
import { eventually, FIXTURE_TOPIC_ARN, incident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

type Input = {
  input?: { Item?: { kind?: string; entryKey?: string }; Key?: { sk?: string }; UpdateExpression?: string };
};

describe('SNS delivery after a crash between writes', () => {
  let runtime: LocalRuntime;
  /**
   * Fails the next DynamoDB call that `matches`, once, as an outage would. It runs before the
   * SDK's own retry step, so the handler sees the failure.
   */
  let failNext: ((commandName: string, input: Input['input']) => boolean) | undefined;
  beforeAll(async () => {
    runtime = await startTestRuntime();
    runtime.dynamodb.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as Input).input;
        if (failNext?.(context.commandName ?? '', input)) {
          failNext = undefined;
          throw Object.assign(new Error('injected: DynamoDB unavailable'), { name: 'ServiceUnavailable' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectFailure' },
    );
  });
  afterAll(async () => {
    await runtime.stop();
  });

  /** A state change of alarm `name`; without `state` the fixture's ALARM at the fixture's time. */
  const envelopeFor = (name: string, state?: 'ALARM' | 'OK'): SnsEnvelope => {
    const alarm = JSON.parse(fixtureText('cloudwatch/metric-alarm.json')) as Record<string, unknown>;
    alarm.AlarmName = name;
    alarm.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
    if (state) {
      alarm.NewStateValue = state;
      alarm.StateChangeTime = new Date().toISOString();
    }
    return runtime.sns.notification({ TopicArn: FIXTURE_TOPIC_ARN, Message: JSON.stringify(alarm) });
  };
  const deliver = async (envelope: SnsEnvelope) => {
    const response = await fetch(`${runtime.url}/v1/alerts/cloudwatch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify(envelope),
    });
    return {
      status: response.status,
      body: (await response.json()) as { incidentId?: string; outcome?: string; message: string },
    };
  };
  const executionsFor = (id: string) =>
    runtime.stepFunctions.list().filter((execution) => execution.input.incidentId === id);

  it.each([
    [
      'after the dedup claim, before the incident is written',
      (command: string, input: Input['input']) => command === 'PutItemCommand' && input?.Item?.kind === 'incident',
    ],
    [
      'beside the escalation start, before its timeline entry is written',
      (command: string, input: Input['input']) =>
        command === 'PutItemCommand' && String(input?.Item?.entryKey ?? '').startsWith('escalation-started#'),
    ],
    [
      'after all the work, before the delivery is recorded as processed',
      (command: string, input: Input['input']) => command === 'PutItemCommand' && input?.Item?.kind === 'delivery',
    ],
  ])('a crash %s is repaired by the retry', async (_, matches) => {
    const envelope = envelopeFor(`crash-${Math.random().toString(36).slice(2, 8)}`);
    failNext = matches;
    const first = await deliver(envelope);
    expect(first.status).toBe(503);
    expect(first.body.message).toContain('retry');

    const retry = await deliver(envelope);
    expect(retry.status).toBe(200);
    const repaired = await incident(runtime, retry.body.incidentId ?? '');
    expect(repaired).toMatchObject({ status: 'open', alertCount: 1 });
    expect(repaired.timeline.filter((entry) => entry.type === 'escalation-started')).toHaveLength(1);
    expect(executionsFor(repaired.id)).toHaveLength(1);
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === repaired.id),
      'the page for the repaired incident',
    );
  });

  it('an SNS retry of an OK that failed after resolving does not resolve the incident its next ALARM reopened', async () => {
    const name = `stale-ok-${Math.random().toString(36).slice(2, 8)}`;
    const alarm = await deliver(envelopeFor(name, 'ALARM'));
    expect(alarm.body.outcome).toBe('opened');
    const id = alarm.body.incidentId ?? '';

    // The OK's resolution is written, then freeing the dedup key fails: SNS will redeliver this OK.
    const ok = envelopeFor(name, 'OK');
    failNext = (command, input) => command === 'UpdateItemCommand' && input?.Key?.sk === 'DEDUP';
    expect((await deliver(ok)).status).toBe(503);
    expect((await incident(runtime, id)).status).toBe('resolved');

    // The alarm is back in ALARM (a later state change): the incident reopens with a ladder of its own.
    const again = await deliver(envelopeFor(name, 'ALARM'));
    expect(again.body).toMatchObject({ outcome: 'reopened', incidentId: id });

    // SNS's retry of the older OK is acknowledged to SNS, noted on the timeline, and pages on.
    const redelivered = await deliver(ok);
    expect(redelivered.status).toBe(200);
    const stored = await incident(runtime, id);
    expect(stored.status).toBe('open');
    expect(executionsFor(id).find((execution) => execution.name === `${id}-r2`)?.status).toBe('RUNNING');
    expect(stored.timeline.find((entry) => entry.message?.startsWith('Ignored a resolve'))).toBeDefined();
  });
});
