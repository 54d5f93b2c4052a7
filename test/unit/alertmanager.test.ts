/** Alertmanager notifications as the core reads them: the group as one incident, its counts and bounds. */
import { readFileSync } from 'node:fs';
import { type Alert, alertGroupLines } from '../../lambdas/core/alert.js';
import {
  chunkAlerts,
  INBOX_CHUNK_LIMITS,
  InboxAlertTooLargeError,
  type PendingInboxChunk,
  redriveInbox,
} from '../../lambdas/core/alert-inbox.js';
import {
  alertFromAlertmanager,
  alertFromAlertmanagerGroup,
  groupCounts,
  SHOWN_GROUP_ALERTS,
  splitAlertmanagerNotification,
} from '../../lambdas/core/alertmanager.js';
import { ConfigError, parseConfig } from '../../lambdas/core/config.js';
import { type InboxChunkRef, parseRedriveInboxEvent } from '../../lambdas/core/intake-invocations.js';
import { routeAlert } from '../../lambdas/core/routing.js';
import { type AlertmanagerWebhook, alertmanagerWebhookSchema } from '../../lambdas/schemas/alertmanager.js';
import { fixture } from '../support/fixtures.js';

const base = JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;
const config = parseConfig(base);
const AT = '2026-11-20T10:00:00.000Z';

/** The real NodeDown notification, with its alerts replaced by `count` built ones. */
function notification(
  count: number,
  changes: Partial<Record<keyof AlertmanagerWebhook, unknown>> = {},
  severityOf: (i: number) => string = () => 'warning',
): AlertmanagerWebhook {
  const { body } = fixture<{ body: Record<string, unknown> }>('alertmanager/real-group-firing.json');
  return alertmanagerWebhookSchema.parse({
    ...body,
    alerts: Array.from({ length: count }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'NodeDown', job: 'node', instance: `node-${i}:9100`, severity: severityOf(i) },
      annotations: { summary: `Node node-${i}:9100 is down` },
      startsAt: '2026-11-20T09:59:00Z',
      fingerprint: `fp${i}`,
    })),
    ...changes,
  });
}

describe('an Alertmanager group as one incident', () => {
  it.each<[string, 'firing' | 'resolved', { firing: number; resolved: number }]>([
    ['a firing group counts what it left out as firing', 'firing', { firing: 3 + 4, resolved: 1 }],
    ['a resolved group counts what it left out as resolved', 'resolved', { firing: 3, resolved: 1 + 4 }],
  ])('%s', (_, status, counts) => {
    const webhook = notification(4, { status, truncatedAlerts: 4 });
    webhook.alerts[0] = { ...webhook.alerts[0], status: 'resolved' } as AlertmanagerWebhook['alerts'][number];
    expect(groupCounts(webhook)).toEqual(counts);
  });

  it('is titled as Alertmanager titles it, keyed by its groupKey, and as severe as its most severe firing alert', () => {
    const webhook = notification(1000, {}, (i) => (i === 500 ? 'critical' : 'warning'));
    const alert = alertFromAlertmanagerGroup(config, webhook, 'local-dev', AT);
    expect(alert).toMatchObject({
      action: 'trigger',
      title: '[FIRING:1000] NodeDown (node)',
      severityText: 'critical',
    });
    expect(routeAlert(config, alert).severity).toBe('SEV1');
    expect(alert.group).toMatchObject({ firing: 1000, resolved: 0, moreAlerts: 1000 - SHOWN_GROUP_ALERTS });
    expect(alert.group.alerts).toHaveLength(SHOWN_GROUP_ALERTS);
    // The labels every alert shares are listed once, not per alert.
    expect(alert.group.alerts[0]?.labels).toEqual({ instance: 'node-0:9100', severity: 'warning' });
  });

  it('ignores the severity of alerts that no longer fire, and says so when none is readable', () => {
    const webhook = notification(2, {}, (i) => (i === 0 ? 'critical' : 'nonsense'));
    webhook.alerts[0] = { ...webhook.alerts[0], status: 'resolved' } as AlertmanagerWebhook['alerts'][number];
    const alert = alertFromAlertmanagerGroup(config, webhook, 'local-dev', AT);
    expect(alert.severityText).toBe('nonsense');
    expect(routeAlert(config, alert).severityNote).toBe(
      'The alert had unknown severity "nonsense" in the severity labels of the firing alerts; the default SEV3 applies',
    );
  });

  it('names a notification by its content: a retry is the same delivery, a change in the group is a new one', () => {
    const webhook = notification(3);
    const id = (w: AlertmanagerWebhook) => alertFromAlertmanagerGroup(config, w, 'local-dev', AT).deliveryId;
    expect(id(notification(3))).toBe(id(webhook));
    const changed = notification(3);
    changed.alerts[2] = { ...changed.alerts[2], status: 'resolved' } as AlertmanagerWebhook['alerts'][number];
    expect(id(changed)).not.toBe(id(webhook));
    expect(id(notification(3, { truncatedAlerts: 1 }))).not.toBe(id(webhook));
  });

  it('keeps ids and keys short and the incident small, whatever the labels and the groupKey', () => {
    const long = 'x'.repeat(4096);
    const labels = Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`label_${i}_${'n'.repeat(200)}`, long]));
    const webhook = alertmanagerWebhookSchema.parse({
      ...notification(1),
      groupKey: `{}:{${long}}`,
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: { summary: long, description: long },
      // Every alert at the schema's limits (64 labels of 4 KB): more alerts only add to the counts.
      alerts: Array.from({ length: 50 }, (_, i) => ({
        status: 'firing',
        // Nothing in common between the alerts: every label is listed per alert.
        labels: Object.fromEntries(
          Object.entries(labels).map(([name, value]) => [name, `${value.slice(0, 4000)}${i}`]),
        ),
        annotations: { summary: long },
        startsAt: 'x'.repeat(64),
        fingerprint: `${'f'.repeat(250)}${i}`,
      })),
    });
    const group = alertFromAlertmanagerGroup(config, webhook, 'local-dev', AT);
    expect(group.dedupKey.length).toBeLessThanOrEqual(64);
    expect(group.deliveryId.length).toBeLessThanOrEqual(64);
    expect(group.title.length).toBeLessThanOrEqual(256);
    // The incident is one DynamoDB item (400 KB at most) whatever the group holds.
    // What routing reads (facts) is not stored.
    expect(Buffer.byteLength(JSON.stringify({ ...group, facts: undefined }))).toBeLessThan(200 * 1024);
    const [first] = webhook.alerts;
    if (!first) throw new Error('alerts');
    const one = alertFromAlertmanager(webhook, first, 'local-dev', AT);
    expect(one.deliveryId.length).toBeLessThanOrEqual(100);
    expect(Buffer.byteLength(JSON.stringify(one))).toBeLessThan(INBOX_CHUNK_LIMITS.maxBytes);
  });

  it("sums the group up by its first firing alert's summary and how many more there are", () => {
    const alert = alertFromAlertmanagerGroup(config, notification(1000), 'local-dev', AT);
    expect(alert.summary).toBe('Node node-0:9100 is down (and 999 more)');
  });

  it('tells, under a per-alert route, that Alertmanager left alerts out, on each incident it opens', () => {
    const webhook = notification(2, { truncatedAlerts: 3 });
    const [first] = webhook.alerts;
    if (!first) throw new Error('alerts');
    expect(alertFromAlertmanager(webhook, first, 'local-dev', AT).details.truncatedAlerts).toBe(
      "3 more alert(s) of this group were not sent (Alertmanager's max_alerts): no incident for them",
    );
  });

  it('reads the group in lines a person can scan: counts, the first alerts, and how many more', () => {
    const webhook = notification(12, { truncatedAlerts: 3 });
    const lines = alertGroupLines(alertFromAlertmanagerGroup(config, webhook, 'local-dev', AT).group);
    expect(lines[0]).toBe('Alertmanager group: 15 firing (3 of them not sent by Alertmanager: max_alerts), 0 resolved');
    expect(lines[1]).toBe('  firing instance=node-0:9100 severity=warning: Node node-0:9100 is down');
    expect(lines.at(-1)).toBe('  and 5 more');
  });
});

describe('one incident per group, or per alert by route', () => {
  const withRoute = (route: Record<string, unknown>) => parseConfig({ ...base, routes: [route] });

  const perCritical = withRoute({
    name: 'critical nodes one by one',
    match: { source: 'alertmanager', labels: { alertname: 'NodeDown', severity: 'critical' } },
    service: 'fleet',
    alertmanagerIncidents: 'per-alert',
  });
  const fingerprints = (part: AlertmanagerWebhook | undefined) => part?.alerts.map((alert) => alert.fingerprint);

  it.each<[string, (i: number) => string, string[] | undefined, string[] | undefined]>([
    ['every alert the route matches: all per alert, no group part', () => 'critical', ['fp0', 'fp1'], undefined],
    ['no alert it matches: the group alone', () => 'warning', undefined, ['fp0', 'fp1']],
    [
      'some: the matched alerts per alert, the others in the group',
      (i) => (i === 1 ? 'warning' : 'critical'),
      ['fp0', 'fp2'],
      ['fp1'],
    ],
  ])('%s', (_, severityOf, perAlert, group) => {
    const parts = splitAlertmanagerNotification(perCritical, notification(group && perAlert ? 3 : 2, {}, severityOf));
    expect(fingerprints(parts.perAlert)).toEqual(perAlert);
    expect(fingerprints(parts.group)).toEqual(group);
  });

  it('decides each alert by its own labels, so an alert goes the same way whatever else is in its group', () => {
    const alone = notification(
      2,
      { commonLabels: { alertname: 'NodeDown', job: 'node', severity: 'critical' } },
      () => 'critical',
    );
    const joined = notification(3, { commonLabels: { alertname: 'NodeDown', job: 'node' } }, (i) =>
      i === 2 ? 'warning' : 'critical',
    );
    const resolved = notification(
      3,
      { status: 'resolved', commonLabels: { alertname: 'NodeDown', job: 'node' } },
      (i) => (i === 2 ? 'warning' : 'critical'),
    );
    resolved.alerts = resolved.alerts.map((alert) => ({ ...alert, status: 'resolved' }));
    for (const webhook of [alone, joined, resolved]) {
      const parts = splitAlertmanagerNotification(perCritical, webhook);
      expect(fingerprints(parts.perAlert)).toEqual(['fp0', 'fp1']);
      for (const alert of parts.perAlert?.alerts ?? []) {
        expect(routeAlert(perCritical, alertFromAlertmanager(webhook, alert, 'local-dev', AT)).rule).toBe(
          'critical nodes one by one',
        );
      }
    }
    expect(splitAlertmanagerNotification(perCritical, resolved).group).toMatchObject({ status: 'resolved' });
  });

  it('gives the group part only its own alerts: its counts, status, common labels and title', () => {
    // Two critical alerts fire per alert; the warning one in the group has resolved.
    const webhook = notification(3, { commonLabels: { alertname: 'NodeDown', job: 'node' } }, (i) =>
      i === 2 ? 'warning' : 'critical',
    );
    webhook.alerts[2] = { ...webhook.alerts[2], status: 'resolved' } as AlertmanagerWebhook['alerts'][number];
    const { group } = splitAlertmanagerNotification(perCritical, webhook);
    if (!group) throw new Error('a group part');
    expect(group).toMatchObject({ status: 'resolved', commonLabels: { severity: 'warning', instance: 'node-2:9100' } });
    const alert = alertFromAlertmanagerGroup(perCritical, group, 'local-dev', AT);
    expect(alert).toMatchObject({
      action: 'resolve',
      title: '[RESOLVED] NodeDown (node node-2:9100 warning)',
      group: { firing: 0, resolved: 1, moreAlerts: 0 },
    });
    expect(routeAlert(perCritical, alert).rule).toBeUndefined();
  });

  it("counts the alerts Alertmanager left out on the group's incident when the notification has one, else notes them per alert", () => {
    const mixed = notification(2, { truncatedAlerts: 3 }, (i) => (i === 0 ? 'critical' : 'warning'));
    const split = splitAlertmanagerNotification(perCritical, mixed);
    expect(split.perAlert?.truncatedAlerts).toBe(0);
    expect(split.group).toMatchObject({ status: 'firing', truncatedAlerts: 3 });
    const allCritical = notification(2, { truncatedAlerts: 3 }, () => 'critical');
    expect(splitAlertmanagerNotification(perCritical, allCritical).perAlert?.truncatedAlerts).toBe(3);
  });

  it('refuses the option on a route that can never match Alertmanager alerts', () => {
    expect(() =>
      withRoute({
        name: 'edge',
        match: { source: 'events-v2', component: 'nginx' },
        service: 'edge',
        alertmanagerIncidents: 'per-alert',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      withRoute({ name: 'x', match: { source: 'alertmanager' }, service: 'x', alertmanagerIncidents: 'sometimes' }),
    ).toThrow(/routes\[0\]\.alertmanagerIncidents/);
  });
});

describe('inbox chunks', () => {
  const alert = (i: number, size: number): Alert => ({
    source: 'alertmanager',
    action: 'trigger',
    dedupKey: `fp${i}`,
    deliveryId: `alertmanager:fp${i}`,
    title: 'NodeDown',
    summary: 's'.repeat(size),
    occurredAt: AT,
    details: {},
    actor: 'integration:local-dev',
  });

  it('keeps every alert, in order, in chunks within both limits', () => {
    const alerts = Array.from({ length: 1000 }, (_, i) => alert(i, i % 7 === 0 ? 20_000 : 100));
    const chunks = chunkAlerts(alerts);
    expect(chunks.flat()).toEqual(alerts);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(chunk.length).toBeLessThanOrEqual(INBOX_CHUNK_LIMITS.maxAlerts);
      expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(
        INBOX_CHUNK_LIMITS.maxBytes + 2 * chunk.length,
      );
    }
  });

  it('refuses an alert too large for any chunk with a typed error that names it and the limit', () => {
    const alerts = [alert(1, 100), alert(2, INBOX_CHUNK_LIMITS.maxBytes)];
    expect(() => chunkAlerts(alerts)).toThrow(InboxAlertTooLargeError);
    expect(() => chunkAlerts(alerts)).toThrow(`The alert fp2 is ${Buffer.byteLength(JSON.stringify(alerts[1]))} bytes`);
    expect(() => chunkAlerts(alerts)).toThrow(`limit of ${INBOX_CHUNK_LIMITS.maxBytes} bytes`);
  });
});

describe('inbox redrive', () => {
  it.each([
    [{ klaxon: 'redrive-inbox' }, { klaxon: 'redrive-inbox' }],
    [
      { klaxon: 'redrive-inbox', olderThanMinutes: 30 },
      { klaxon: 'redrive-inbox', olderThanMinutes: 30 },
    ],
    [
      { klaxon: 'redrive-inbox', olderThanMinutes: 0 },
      { klaxon: 'redrive-inbox', olderThanMinutes: 0 },
    ],
  ])('reads %j as a redrive', (event, expected) => {
    expect(parseRedriveInboxEvent(event)).toEqual(expected);
  });

  it.each([
    [{ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' }],
    [{ source: 'klaxon.alert-inbox', inbox: 'abc', chunk: 0 }],
    [null],
    ['redrive-inbox'],
  ])('leaves %j to the other handlers', (event) => {
    expect(parseRedriveInboxEvent(event)).toBeUndefined();
  });

  it.each([
    [{ klaxon: 'redrive' }, 'Unknown Klaxon operation "redrive"'],
    [{ klaxon: 'redrive-inbox', olderThan: 30 }, 'Unknown field(s) olderThan'],
    [{ klaxon: 'redrive-inbox', olderThanMinutes: '30' }, 'olderThanMinutes "30" is not a whole number'],
    [{ klaxon: 'redrive-inbox', olderThanMinutes: -1 }, 'olderThanMinutes -1 is not a whole number'],
    [{ klaxon: 'redrive-inbox', olderThanMinutes: 1.5 }, 'olderThanMinutes 1.5 is not a whole number'],
  ])('refuses the malformed redrive %j and says what to send', (event, message) => {
    expect(() => parseRedriveInboxEvent(event)).toThrow(message);
    expect(() => parseRedriveInboxEvent(event)).toThrow('{"klaxon":"redrive-inbox","olderThanMinutes":N}');
  });

  const pending: PendingInboxChunk[] = [
    { inbox: 'old', chunk: 0, storedAt: '2026-11-20T09:00:00.000Z' },
    { inbox: 'old', chunk: 1, storedAt: '2026-11-20T09:00:00.000Z' },
    { inbox: 'recent', chunk: 0, storedAt: '2026-11-20T09:55:00.000Z' },
  ];
  const redrive = async (olderThanMinutes?: number) => {
    const dispatched: InboxChunkRef[] = [];
    const result = await redriveInbox(
      {
        clock: { now: () => new Date(AT) },
        inbox: {
          pending: async () => pending,
          put: async () => {},
          get: async () => undefined,
          keepOnly: async () => {},
          delete: async () => {},
        },
        inboxDispatcher: { dispatch: async (ref) => void dispatched.push(ref) },
      },
      olderThanMinutes === undefined ? {} : { olderThanMinutes },
    );
    return { result, dispatched };
  };

  it.each([
    [undefined, ['old#0', 'old#1', 'recent#0']],
    [0, ['old#0', 'old#1', 'recent#0']],
    [5, ['old#0', 'old#1', 'recent#0']],
    [6, ['old#0', 'old#1']],
    [60, ['old#0', 'old#1']],
    [61, []],
  ])('older than %p minutes dispatches %j, each chunk by its key only', async (olderThanMinutes, expected) => {
    const { result, dispatched } = await redrive(olderThanMinutes);
    expect(dispatched.map((ref) => `${ref.inbox}#${ref.chunk}`)).toEqual(expected);
    expect(dispatched.every((ref) => Object.keys(ref).sort().join() === 'chunk,inbox')).toBe(true);
    expect(result).toEqual({ dispatched: expected.length, skipped: pending.length - expected.length });
  });
});
