/** The realistic payloads in test/fixtures (CloudWatch via SNS and EventBridge, Events v2, Alertmanager, bad inputs). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CloudWatchAlarmEvent } from '../../lambdas/schemas/cloudwatch-alarm-event.js';

export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const fixtureText = (name: string) => readFileSync(fixturePath(name), 'utf8');
export const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(fixtureText(name)) as T;

let lastStateChange = 0;

/**
 * The EventBridge alarm state change fixture for alarm `name` in `state`, as delivery `id`. The
 * description is the fixture's (severity=SEV1) unless one is given. The change happened `at`, else
 * later than every change made before, as CloudWatch times an alarm's successive changes.
 */
export function alarmStateChange({
  name,
  state,
  id,
  description,
  at,
}: {
  name: string;
  state: CloudWatchAlarmEvent['detail']['state']['value'];
  id: string;
  description?: string | null;
  at?: string;
}): CloudWatchAlarmEvent {
  const event = fixture<CloudWatchAlarmEvent>('eventbridge/alarm-state-change.json');
  lastStateChange = Math.max(Date.now(), lastStateChange + 1);
  event.detail.state.timestamp = at ?? new Date(lastStateChange).toISOString();
  event.id = id;
  event.detail.alarmName = name;
  event.detail.state.value = state;
  if (description !== undefined) event.detail.configuration.description = description;
  event.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`];
  return event;
}
