/** The intake parts of the config (topics, routes, alert policy) and the routing decision. */
import { readFileSync } from 'node:fs';
import type { Alert } from '../../lambdas/core/alert.js';
import { alarmChangeFromSns, alertFromAlarmStateChange } from '../../lambdas/core/alert-sources.js';
import { ConfigError, parseConfig } from '../../lambdas/core/config.js';
import { alertPolicyFor } from '../../lambdas/core/config-lookups.js';
import { isInForce } from '../../lambdas/core/maintenance.js';
import { routeAlert } from '../../lambdas/core/routing.js';
import { cloudWatchSnsAlarmSchema } from '../../lambdas/schemas/cloudwatch-sns-alarm.js';
import { fixture } from '../support/fixtures.js';

const valid = () => JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;

function problemsOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

const alert = (changes: Partial<Alert>): Alert => ({
  source: 'cloudwatch',
  action: 'trigger',
  dedupKey: 'k',
  deliveryId: 'd',
  title: 't',
  summary: 's',
  occurredAt: '2026-11-20T10:00:00.000Z',
  details: {},
  actor: 'a',
  ...changes,
});

describe('intake config', () => {
  it('defaults: no routes, a 30-minute reopen window and INSUFFICIENT_DATA ignored for every tier', () => {
    const config = parseConfig(valid());
    expect(config.routes).toEqual([]);
    expect(config.snsTopicArns).toEqual(['arn:aws:sns:local:000000000000:klaxon-alarms']);
    expect(alertPolicyFor(config, 'SEV1')).toEqual({ reopenWindow: '30m', insufficientData: 'ignore' });
  });

  it('fills the alert policy of a tier that names only part of it', () => {
    const config = parseConfig({ ...valid(), alertPolicy: { SEV2: { insufficientData: 'alert' } } });
    expect(alertPolicyFor(config, 'SEV2')).toEqual({ reopenWindow: '30m', insufficientData: 'alert' });
  });

  it.each([
    [{ snsTopicArns: ['klaxon-alarms'] }, 'snsTopicArns[0]: must be an SNS topic ARN'],
    [{ routes: [{ name: 'r', match: {}, service: 's' }] }, 'routes[0].match: must name at least one condition'],
    [{ routes: [{ name: 'r', match: { alarmName: 'x' }, service: 's', severity: 'SEV9' }] }, 'routes[0].severity'],
    [{ alertPolicy: { SEV1: { reopenWindow: 'soon' } } }, 'alertPolicy.SEV1.reopenWindow: must be a duration'],
    [{ alertPolicy: { SEV1: { insufficientData: 'page' } } }, 'alertPolicy.SEV1.insufficientData'],
  ])('refuses %j naming the field', (change, message) => {
    expect(problemsOf({ ...valid(), ...change })).toContain(message);
  });
});

describe('routing', () => {
  const base = valid() as { teams: { roles: unknown }[] };
  const config = parseConfig({
    ...base,
    // The service decides the team: the team that lists it, else the first (default) team.
    teams: [...base.teams, { id: 'commerce', services: ['payments', 'frontline'], roles: base.teams[0]?.roles }],
    routes: [
      { name: 'payments', match: { alarmName: 'payments-*' }, service: 'payments' },
      { name: 'all alarms', match: { source: 'cloudwatch' }, service: 'ops', defaultSeverity: 'SEV2' },
      { name: 'team tag', match: { descriptionTag: 'team=sea*' }, service: 'search' },
      { name: 'word tag', match: { descriptionTag: 'customer-facing' }, service: 'frontline', severity: 'SEV1' },
    ],
  });

  it.each<
    [string, Partial<Alert>, { service: string; team: string; severity: string; rule?: string; severityNote?: string }]
  >([
    [
      'the first matching rule wins',
      { facts: { alarmName: 'Payments-API' }, severityText: 'SEV1' },
      { service: 'payments', team: 'commerce', severity: 'SEV1', rule: 'payments' },
    ],
    [
      "a rule's default severity when the alert has none",
      { facts: { alarmName: 'other' } },
      {
        service: 'ops',
        team: 'ops',
        severity: 'SEV2',
        rule: 'all alarms',
        severityNote: `The alert had no severity; route "all alarms"'s default SEV2 applies`,
      },
    ],
    [
      'a key=value description tag, with a pattern',
      { source: 'events-v2', facts: { description: 'latency high team=search' }, severityText: 'warning' },
      { service: 'search', team: 'ops', severity: 'SEV3', rule: 'team tag' },
    ],
    [
      'a bare-word description tag, forcing the severity',
      { source: 'alertmanager', facts: { description: 'checkout [customer-facing]' }, severityText: 'info' },
      { service: 'frontline', team: 'commerce', severity: 'SEV1', rule: 'word tag' },
    ],
    [
      'the default route for no match, keeping the sender service',
      { source: 'events-v2', service: 'billing', severityText: 'nonsense', severitySource: 'payload.severity' },
      {
        service: 'billing',
        team: 'ops',
        severity: 'SEV3',
        severityNote: 'The alert had unknown severity "nonsense" in payload.severity; the default SEV3 applies',
      },
    ],
  ])('%s', (_, changes, expected) => {
    expect(routeAlert(config, alert(changes))).toEqual(expected);
  });
});

describe('alarm state changes', () => {
  const snsAlarm = (changes: Record<string, unknown>) =>
    cloudWatchSnsAlarmSchema.parse({
      ...fixture<Record<string, unknown>>('cloudwatch/insufficient-data.json'),
      ...changes,
    });

  it('INSUFFICIENT_DATA opens only for a tier whose policy says so', () => {
    const ignoring = parseConfig(valid());
    const alerting = parseConfig({ ...valid(), alertPolicy: { SEV1: { insufficientData: 'alert' } } });
    const change = alarmChangeFromSns(snsAlarm({}), 'm', '2026-11-20T11:00:00.000Z');
    expect(alertFromAlarmStateChange(ignoring, change)).toBeUndefined();
    expect(alertFromAlarmStateChange(alerting, change)).toMatchObject({ action: 'trigger', severityText: 'SEV1' });
    const sev3 = alarmChangeFromSns(snsAlarm({ AlarmDescription: '[SEV3] disk' }), 'm', '2026-11-20T11:00:00.000Z');
    expect(alertFromAlarmStateChange(alerting, sev3)).toBeUndefined();
  });

  it('takes region and account from AlarmArn, not the display name', () => {
    const change = alarmChangeFromSns(
      snsAlarm({ AlarmArn: 'arn:aws-cn:cloudwatch:cn-north-1:210987654321:alarm:x', AWSAccountId: undefined }),
      'm',
      '2026-11-20T11:00:00.000Z',
    );
    expect(change).toMatchObject({ region: 'cn-north-1', account: '210987654321', deliveryId: 'sns:m' });
  });
});

describe('maintenance windows', () => {
  const window = { service: 's', startsAt: '2026-11-20T10:00:00.000Z', endsAt: '2026-11-20T11:00:00.000Z', by: 'x' };
  it.each([
    ['2026-11-20T09:59:59.999Z', false],
    ['2026-11-20T10:00:00.000Z', true],
    ['2026-11-20T10:59:59.999Z', true],
    ['2026-11-20T11:00:00.000Z', false],
  ])('at %s is in force: %s', (at, expected) => {
    expect(isInForce(window, new Date(at))).toBe(expected);
  });
});
