/**
 * 1,000 deliveries of 50 distinct alarms through signed SNS, with SNS-style retries (the same
 * MessageId again), re-notifications (a new MessageId for the same alarm) and concurrent repeats
 * mixed in, end with exactly 50 incidents and 50 executions, and every delivery answered 2xx
 * (or 5xx, whose retry then succeeded, as SNS retries).
 */
import type { Incident } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import type { SnsEnvelope } from '../../local/sns-stand-in.js';
import { fixtureText } from '../support/fixtures.js';
import { FIXTURE_TOPIC_ARN, startTestRuntime } from '../support/local.js';

const ALARMS = 50;
const DELIVERIES = 1_000;
const NOTIFICATIONS_PER_ALARM = 4;
const CONCURRENCY = 25;
const MAX_TRIES = 5;

/** A small seeded generator (mulberry32): the same mix on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('1,000 deliveries of 50 alarms', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('end with exactly 50 incidents and 50 executions, each delivery acknowledged', async () => {
    const template = JSON.parse(fixtureText('cloudwatch/metric-alarm.json')) as Record<string, unknown>;
    // Every alarm has a few SNS notifications (CloudWatch notifies again on each evaluation).
    const notifications: SnsEnvelope[][] = Array.from({ length: ALARMS }, (_, alarm) => {
      const name = `load-alarm-${String(alarm).padStart(2, '0')}`;
      const message = JSON.stringify({
        ...template,
        AlarmName: name,
        AlarmDescription: 'severity=SEV3 load test',
        AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
      });
      return Array.from({ length: NOTIFICATIONS_PER_ALARM }, () =>
        runtime.sns.notification({ TopicArn: FIXTURE_TOPIC_ARN, Message: message, Subject: `ALARM: "${name}"` }),
      );
    });

    const random = seeded(20261120);
    const pick = (n: number) => Math.floor(random() * n);
    const plan: SnsEnvelope[] = [];
    // Each alarm's first notification, then bursts of one envelope repeated (concurrent repeats and
    // SNS retries with the same MessageId), then random picks across alarms and notifications.
    for (const alarm of notifications) plan.push(alarm[0] as SnsEnvelope);
    while (plan.length < 300) {
      const envelope = notifications[pick(ALARMS)]?.[pick(NOTIFICATIONS_PER_ALARM)] as SnsEnvelope;
      for (let copy = 0; copy < 10; copy++) plan.push(envelope);
    }
    while (plan.length < DELIVERIES) {
      plan.push(notifications[pick(ALARMS)]?.[pick(NOTIFICATIONS_PER_ALARM)] as SnsEnvelope);
    }
    // Shuffle all but keep the bursts together in their batches: shuffle batch order, not members.
    const batches: SnsEnvelope[][] = [];
    for (let i = 0; i < plan.length; i += CONCURRENCY) batches.push(plan.slice(i, i + CONCURRENCY));
    for (let i = batches.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [batches[i], batches[j]] = [batches[j] as SnsEnvelope[], batches[i] as SnsEnvelope[]];
    }

    const statuses: number[] = [];
    let retriedAfter5xx = 0;
    const deliver = async (envelope: SnsEnvelope) => {
      for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
        const response = await fetch(`${runtime.url}/v1/alerts/cloudwatch`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=UTF-8' },
          body: JSON.stringify(envelope),
        });
        await response.text();
        statuses.push(response.status);
        if (response.status < 500) return response.status;
        retriedAfter5xx++;
      }
      return 599;
    };
    const finals: number[] = [];
    for (const batch of batches) finals.push(...(await Promise.all(batch.map(deliver))));

    expect(finals).toHaveLength(DELIVERIES);
    expect(finals.filter((status) => status !== 200)).toEqual([]);
    expect(statuses.filter((status) => status >= 400 && status < 500)).toEqual([]);

    const open = await fetch(`${runtime.url}/v1/incidents?status=open&limit=100`);
    const incidents = ((await open.json()) as { incidents: Incident[] }).incidents.filter((item) =>
      item.title.startsWith('load-alarm-'),
    );
    expect(incidents).toHaveLength(ALARMS);
    expect(new Set(incidents.map((item) => item.title)).size).toBe(ALARMS);
    expect(runtime.stepFunctions.list()).toHaveLength(ALARMS);

    // Each incident counts each distinct notification it received once, however often it came.
    const delivered = new Map<string, Set<string>>();
    for (const envelope of plan) {
      const name = (JSON.parse(envelope.Message ?? '{}') as { AlarmName: string }).AlarmName;
      delivered.set(name, (delivered.get(name) ?? new Set()).add(envelope.MessageId ?? ''));
    }
    for (const item of incidents) expect(item.alertCount).toBe(delivered.get(item.title)?.size);
    // Reported so a run shows how often the store pushed back (a 5xx) and a retry completed the work.
    console.info(`1,000 deliveries: ${statuses.length} requests, ${retriedAfter5xx} answered 5xx and retried`);
  });
});
