/**
 * Prometheus Alertmanager's webhook (version 4), authenticated by a bearer integration key: one
 * incident per Alertmanager group, as its peers do. The real notifications under
 * test/fixtures/alertmanager/real-*.json were sent by Debian's prometheus-alertmanager 0.25.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertGroup } from '../../lambdas/core/alert.js';
import { drainInboxChunk, INBOX_CHUNK_LIMITS } from '../../lambdas/core/alert-inbox.js';
import { alertFromAlertmanager } from '../../lambdas/core/alertmanager.js';
import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { inboxEvent } from '../../lambdas/core/intake-invocations.js';
import { integrationFor } from '../../lambdas/core/integration-keys.js';
import { alertmanagerWebhookSchema, MAX_LABELS } from '../../lambdas/schemas/alertmanager.js';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import { fixture } from '../support/fixtures.js';
import {
  call,
  consolePage,
  eventually,
  FIXTURE_ROUTING_KEY,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
  testConfig,
} from '../support/local.js';

type WebhookAlert = { status: string; labels: Record<string, string>; fingerprint: string } & Record<string, unknown>;
type Webhook = { alerts: WebhookAlert[]; status: string; groupKey: string; truncatedAlerts: number } & Record<
  string,
  unknown
>;
type Reply = {
  status: string;
  outcome: string;
  incidentId: string;
  firing: number;
  resolved: number;
  truncatedAlerts: number;
  alerts: number;
  inbox: string;
  chunks: number;
  message: string;
};
type Captured = { sender: string; headers: Record<string, string>; body: Webhook };

/** A notification Alertmanager really sent, with the headers it sent it with. */
const real = (name: string) => fixture<Captured>(`alertmanager/${name}.json`);

/** A group of `count` alerts built from the real NodeDown notification, as Alertmanager would send it. */
function fleetNotification(count: number, status: 'firing' | 'resolved', groupName = 'NodeDown'): Webhook {
  const { body } = real(status === 'firing' ? 'real-group-firing' : 'real-group-resolved');
  const [template] = body.alerts;
  if (!template) throw new Error('the fixture has alerts');
  return {
    ...body,
    groupKey: body.groupKey.replace('NodeDown', groupName),
    groupLabels: { alertname: groupName },
    commonLabels: { alertname: groupName, job: 'node' },
    alerts: Array.from({ length: count }, (_, i) => ({
      ...template,
      status,
      labels: {
        ...template.labels,
        alertname: groupName,
        instance: `node-${i}:9100`,
        severity: i === count - 1 ? 'critical' : 'warning',
      },
      annotations: { summary: `Node node-${i}:9100 is down`, runbook_url: 'https://runbooks.example.com/NodeDown' },
      // Alertmanager's fingerprint is a hash of the alert's labels: 16 hex digits.
      fingerprint: createHash('sha256').update(`${groupName}/${i}`).digest('hex').slice(0, 16),
    })),
  };
}

describe('Alertmanager webhook intake', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      config: parseConfig({
        ...testConfig(),
        routes: [
          {
            name: 'fleet, one incident per node',
            match: { source: 'alertmanager', labels: { alertname: 'FleetPerNode*' } },
            service: 'fleet',
            alertmanagerIncidents: 'per-alert',
          },
          {
            name: 'critical nodes, one incident each',
            match: { source: 'alertmanager', labels: { alertname: 'SplitGroup', severity: 'critical' } },
            service: 'fleet',
            alertmanagerIncidents: 'per-alert',
          },
        ],
      }),
    });
  });
  afterEach(() => runtime.dynamodb.faults.clear());
  afterAll(async () => {
    await runtime.stop();
  });

  const post = (body: unknown, token: string | null = LOCAL_ROUTING_KEY, headers: Record<string, string> = {}) =>
    call<Reply>(runtime, 'POST', '/v1/alerts/alertmanager', body, {
      ...headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
  const openIncidents = async (service?: string) => {
    const found: Incident[] = [];
    let cursor: string | undefined;
    do {
      const query = `status=open&limit=100${service ? `&service=${service}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call<{ incidents: Incident[]; next?: string }>(runtime, 'GET', `/v1/incidents?${query}`);
      found.push(...page.body.incidents);
      cursor = page.body.next;
    } while (cursor);
    return found;
  };
  /** Every chunk of a per-alert delivery received and deleted: what the inbox promises before it forgets them. */
  const inboxReceived = (reply: Pick<Reply, 'inbox' | 'chunks'>) =>
    eventually(
      async () => {
        for (let chunk = 0; chunk < reply.chunks; chunk++) {
          if (await runtime.intakeDeps.inbox.get({ inbox: reply.inbox, chunk })) return undefined;
        }
        return true;
      },
      `the ${reply.chunks} chunk(s) of inbox ${reply.inbox} received`,
      60_000,
    );
  const groupOf = async (id: string) => (await incident(runtime, id)).alertGroup as AlertGroup;

  it("opens one incident for a real Alertmanager group, at its most severe alert's severity, and the group's resolved notification resolves it", async () => {
    const firing = real('real-group-firing');
    const opened = await post(firing.body, LOCAL_ROUTING_KEY, { 'user-agent': firing.sender });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ outcome: 'opened', firing: 2, resolved: 0, truncatedAlerts: 0 });
    const id = opened.body.incidentId;
    const shown = await incident(runtime, id);
    // One critical and one warning node: the group is as severe as its worst alert.
    expect(shown).toMatchObject({ title: '[FIRING:2] NodeDown (node)', severity: 'SEV1', source: 'alertmanager' });
    expect(shown.alertGroup).toMatchObject({
      groupKey: firing.body.groupKey,
      status: 'firing',
      firing: 2,
      resolved: 0,
      truncatedAlerts: 0,
      externalURL: firing.body.externalURL,
      groupLabels: { alertname: 'NodeDown' },
      moreAlerts: 0,
    });
    expect(shown.alertGroup?.alerts.map((alert) => alert.labels.instance)).toEqual(['node-1:9100', 'node-2:9100']);
    const page = await eventually(
      async () => pagesIn(await outbox(runtime)).find((message) => message.incidentId === id && message.email),
      'the page',
    );
    expect(page.email).toContain('Alertmanager group: 2 firing, 0 resolved');
    expect(page.email).toContain('node-1:9100');

    // Alertmanager repeats an unchanged group every repeat_interval: the same incident, counted once.
    const repeat = await post(firing.body);
    expect(repeat.body).toMatchObject({ outcome: 'deduplicated', incidentId: id });
    expect((await incident(runtime, id)).alertCount).toBe(1);

    const resolved = await post(real('real-group-resolved').body);
    expect(resolved.body).toMatchObject({ outcome: 'resolved', incidentId: id, firing: 0, resolved: 2 });
    expect(await incident(runtime, id)).toMatchObject({
      status: 'resolved',
      title: '[RESOLVED] NodeDown (node)',
      resolvedBy: 'integration:local-dev (key: klaxonlocaldevroutingkey00000001)',
      alertGroup: { status: 'resolved', firing: 0, resolved: 2 },
    });
  });

  it('counts what each later notification of the group says, as one repeat each', async () => {
    const group = fleetNotification(3, 'firing', 'DiskFull');
    const opened = await post(group);
    const id = opened.body.incidentId;
    const [first, ...rest] = group.alerts;
    if (!first) throw new Error('three alerts');
    const oneResolved = { ...group, alerts: [...rest, { ...first, status: 'resolved' }] };
    expect((await post(oneResolved)).body).toMatchObject({ outcome: 'deduplicated', incidentId: id });
    expect(await incident(runtime, id)).toMatchObject({
      title: '[FIRING:2] DiskFull (node)',
      alertCount: 2,
      alertGroup: { firing: 2, resolved: 1 },
    });
    const timeline = (await incident(runtime, id)).timeline;
    expect(timeline.filter((entry) => entry.type === 'alert')).toHaveLength(1);
  });

  it("shows the alerts Alertmanager left out (max_alerts) in the group's counts, from its real notification", async () => {
    const capped = real('real-max-alerts-firing');
    expect(capped.body.truncatedAlerts).toBe(3);
    const opened = await post(capped.body);
    expect(opened.body).toMatchObject({ outcome: 'opened', firing: 6, truncatedAlerts: 3 });
    const id = opened.body.incidentId;
    expect(await incident(runtime, id)).toMatchObject({
      title: '[FIRING:6] FleetDown (node critical)',
      alertGroup: { firing: 6, truncatedAlerts: 3, moreAlerts: 3 },
    });
    const console = await consolePage(runtime, `/incidents/${id}`);
    expect(await console.text()).toContain('6 firing (3 of them not sent by Alertmanager: max_alerts)');
    const resolved = await post(real('real-max-alerts-resolved').body);
    expect(resolved.body).toMatchObject({ outcome: 'resolved', firing: 0, resolved: 6 });
  });

  it('takes a 5,000-alert group in one notification: one incident with the counts and a bounded list, resolved by its resolved notification', async () => {
    const firing = JSON.stringify(fleetNotification(5000, 'firing', 'FleetWideOutage'));
    expect(firing.length).toBeGreaterThan(1024 * 1024);
    const started = performance.now();
    const opened = await post(JSON.parse(firing));
    const elapsed = performance.now() - started;
    process.stdout.write(
      `5,000-alert group notification (${firing.length} bytes) answered in ${elapsed.toFixed(0)} ms\n`,
    );
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ outcome: 'opened', firing: 5000, resolved: 0 });
    const id = opened.body.incidentId;
    expect((await openIncidents()).filter((item) => item.title.includes('FleetWideOutage'))).toHaveLength(1);
    const shown = await incident(runtime, id);
    expect(shown).toMatchObject({ title: '[FIRING:5000] FleetWideOutage (node)', severity: 'SEV1' });
    expect(shown.alertGroup).toMatchObject({ firing: 5000, moreAlerts: 4990 });
    expect(shown.alertGroup?.alerts).toHaveLength(10);
    expect(JSON.stringify(shown).length).toBeLessThan(64 * 1024);

    const resolved = await post(fleetNotification(5000, 'resolved', 'FleetWideOutage'));
    expect(resolved.body).toMatchObject({ outcome: 'resolved', incidentId: id, resolved: 5000 });
    expect((await groupOf(id)).firing).toBe(0);
  });

  it('refuses a notification over 6 MB with 413 and says the limit', async () => {
    const huge = fleetNotification(1, 'firing', 'TooBig');
    huge.padding = 'x'.repeat(6_100_000);
    const reply = await post(huge);
    expect(reply.status).toBe(413);
    expect(reply.body.message).toContain('the limit is 6000000 bytes');
  });

  it('under a per-alert route, stores the alerts and answers at once, then opens one incident per alert, losing none', async () => {
    // Two chunks (100 alerts each at most); 5,000 take minutes locally (see bench/alertmanager-notifications.ts).
    const count = 150;
    const notification = fleetNotification(count, 'firing', 'FleetPerNode');
    const reply = await post(notification);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ alerts: count, chunks: 2 });
    await inboxReceived(reply.body);
    const incidents = (await openIncidents('fleet')).filter((item) => item.title === 'FleetPerNode');
    expect(new Set(incidents.map((item) => item.dedupKey)).size).toBe(count);
    expect(incidents).toHaveLength(count);
    expect(incidents.filter((item) => item.severity === 'SEV1')).toHaveLength(1);
    expect(runtime.intakeAsync.failed).toEqual([]);
  });

  it('a fan-out that fails before its chunk is done is finished by the retry, each incident opened once', async () => {
    const count = 30;
    const notification = fleetNotification(count, 'firing', 'FleetPerNodeRetried');
    // The chunk's delete fails (every SDK attempt): its alerts were all received, but the run fails,
    // so the retry receives them again, and must open nothing twice.
    runtime.dynamodb.faults.inject({ operation: 'DeleteItem', kind: 'internal-error', attempts: 3 });
    const reply = await post(notification);
    expect(reply.status).toBe(202);
    await inboxReceived(reply.body);
    expect(runtime.dynamodb.faults.pending).toBe(0);
    const incidents = (await openIncidents('fleet')).filter((item) => item.title === 'FleetPerNodeRetried');
    expect(incidents).toHaveLength(count);
    for (const item of incidents.slice(0, 3)) {
      expect((await incident(runtime, item.id)).timeline.filter((entry) => entry.type === 'opened')).toHaveLength(1);
      expect(runtime.stepFunctions.list().filter((execution) => execution.input.incidentId === item.id)).toHaveLength(
        1,
      );
    }
    expect(runtime.intakeAsync.failed).toEqual([]);
  });

  it("an alert's own labels decide: critical alerts keep their own incidents when a warning joins their group, and the resolved notification leaves none open", async () => {
    const nodes = fleetNotification(3, 'firing', 'SplitGroup');
    const [first, second, third] = nodes.alerts;
    if (!first || !second || !third) throw new Error('three alerts');
    const withSeverity = (alert: WebhookAlert, severity: string) => ({
      ...alert,
      labels: { ...alert.labels, severity },
    });
    const critical = [withSeverity(first, 'critical'), withSeverity(second, 'critical')];
    const warning = withSeverity(third, 'warning');
    const common = { alertname: 'SplitGroup', job: 'node' };
    const notify = (status: 'firing' | 'resolved', alerts: WebhookAlert[], commonLabels: Record<string, string>) => ({
      ...nodes,
      status,
      alerts: alerts.map((alert) => ({ ...alert, status })),
      commonLabels,
    });
    const splitIncidents = async () => (await openIncidents()).filter((item) => item.title.includes('SplitGroup'));

    const twoCritical = await post(notify('firing', critical, { ...common, severity: 'critical' }));
    expect(twoCritical.status).toBe(202);
    expect(twoCritical.body).toMatchObject({ alerts: 2 });
    expect(twoCritical.body.incidentId).toBeUndefined();
    await inboxReceived(twoCritical.body);
    const perAlert = await splitIncidents();
    expect(perAlert.map((item) => [item.title, item.severity])).toEqual([
      ['SplitGroup', 'SEV1'],
      ['SplitGroup', 'SEV1'],
    ]);

    // The warning joins: severity leaves the common labels, but each critical alert still matches its route.
    const joined = await post(notify('firing', [...critical, warning], common));
    const group = await incident(runtime, joined.body.incidentId);
    // The group's incident pages for the warning alone: the critical alerts were paged once, on their own.
    expect(group.alertGroup?.alerts.map((alert) => alert.fingerprint)).toEqual([warning.fingerprint]);
    expect(group.severity).not.toBe('SEV1');
    expect(joined.status).toBe(202);
    expect(joined.body).toMatchObject({ alerts: 2, outcome: 'opened', firing: 1, resolved: 0 });
    await inboxReceived(joined.body);
    for (const item of perAlert) expect((await incident(runtime, item.id)).alertCount).toBe(1);
    expect(await splitIncidents()).toHaveLength(3);

    const resolved = await post(notify('resolved', [...critical, warning], common));
    expect(resolved.status).toBe(202);
    expect(resolved.body).toMatchObject({ alerts: 2, outcome: 'resolved', incidentId: group.id });
    await inboxReceived(resolved.body);
    expect(await splitIncidents()).toEqual([]);
    expect(runtime.intakeAsync.failed).toEqual([]);
  });

  // Two Alertmanagers (two teams' integration keys) can send the same group: the same labels on
  // different clusters. Each is its own problem, and one team's "resolved" is not the other's.
  it("two integrations sending the same group get an incident each, and one's resolved leaves the other's open", async () => {
    const group = (status: 'firing' | 'resolved') => fleetNotification(1, status, 'SharedGroup');
    const teamA = await post(group('firing'));
    const teamB = await post(group('firing'), FIXTURE_ROUTING_KEY);
    expect([teamA.body.outcome, teamB.body.outcome]).toEqual(['opened', 'opened']);
    expect(teamB.body.incidentId).not.toBe(teamA.body.incidentId);

    const resolved = await post(group('resolved'), FIXTURE_ROUTING_KEY);
    expect(resolved.body).toMatchObject({ outcome: 'resolved', incidentId: teamB.body.incidentId });
    expect((await incident(runtime, teamA.body.incidentId)).status).toBe('open');
  });

  it('defaults a group whose severity labels Klaxon does not know, and says why', async () => {
    const group = fleetNotification(2, 'firing', 'UnknownSeverity');
    group.alerts = group.alerts.map((alert) => ({ ...alert, labels: { ...alert.labels, severity: 'page-someone' } }));
    const id = (await post(group)).body.incidentId;
    const shown = await incident(runtime, id);
    expect(shown.severity).toBe('SEV3');
    expect(shown.timeline.find((entry) => entry.type === 'severity-defaulted')?.message).toBe(
      'The alert had unknown severity "page-someone" in the severity labels of the firing alerts; the default SEV3 applies',
    );
  });

  it.each([
    ['no Authorization header', null, 401, 'Authorization: Bearer'],
    ['an unknown bearer token', 'not-a-key', 403, 'Unknown integration key'],
  ])('refuses %s, creating nothing', async (_, token, status, mentions) => {
    const before = (await openIncidents()).length;
    const reply = await post(fleetNotification(1, 'firing', 'Unauthorised'), token);
    expect(reply.status).toBe(status);
    expect(reply.body.message).toContain(mentions);
    expect(await openIncidents()).toHaveLength(before);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['version 3', { version: '3' }, 'version'],
    ['no alerts', { alerts: [] }, 'at least one alert'],
    ['no groupKey', { groupKey: undefined }, 'groupKey'],
    ['an alert without fingerprint', { alerts: [{ status: 'firing', labels: {} }] }, 'alerts.0.fingerprint'],
    ['a status that is not firing or resolved', { status: 'exploded' }, 'status'],
  ])('refuses a webhook with %s with 400 naming the field', async (_, change, mentions) => {
    const reply = await post({ ...real('real-group-firing').body, ...change });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain(mentions);
  });
});

describe('Alertmanager per-alert inbox across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'klaxon-inbox-'));
  const config = parseConfig({
    ...testConfig(),
    routes: [
      {
        name: 'fleet, one incident per node',
        match: { source: 'alertmanager', labels: { alertname: 'Restarted*' } },
        service: 'fleet',
        alertmanagerIncidents: 'per-alert',
      },
    ],
  });
  const start = () => startLocalRuntime({ port: 0, dataDir, config, verbose: false });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a stored chunk the runtime had not received when it stopped is received after a restart with the same data', async () => {
    const before = await start();
    const count = 201;
    const reply = await call<Reply>(
      before,
      'POST',
      '/v1/alerts/alertmanager',
      fleetNotification(count, 'firing', 'RestartedFleet'),
      {
        authorization: `Bearer ${LOCAL_ROUTING_KEY}`,
      },
    );
    expect(reply.body).toMatchObject({ alerts: count, chunks: 3 });
    // Two chunks are received at a time: the third waits in memory, and the stop drops it.
    expect(before.intakeAsync.queued).toBe(1);
    await before.stop();

    const after = await start();
    try {
      await eventually(
        async () => {
          for (let chunk = 0; chunk < 3; chunk++) {
            if (await after.intakeDeps.inbox.get({ inbox: reply.body.inbox, chunk })) return undefined;
          }
          return true;
        },
        'every chunk received after the restart',
        60_000,
      );
      let open = 0;
      let cursor: string | undefined;
      do {
        const page = await after.deps.store.listByStatus('open', { limit: 100, cursor, service: 'fleet' });
        open += page.incidents.filter((item) => item.title === 'RestartedFleet').length;
        cursor = page.next;
      } while (cursor);
      expect(open).toBe(count);
    } finally {
      await after.stop();
    }
  });
});

describe('Alertmanager per-alert inbox: failures, dead letters and the redrive', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      config: parseConfig({
        ...testConfig(),
        routes: [
          {
            name: 'fleet, one incident per node',
            match: { source: 'alertmanager', labels: { alertname: 'Fleet*' } },
            service: 'fleet',
            alertmanagerIncidents: 'per-alert',
          },
        ],
      }),
    });
  });
  afterEach(() => runtime.dynamodb.faults.clear());
  afterAll(async () => {
    await runtime.stop();
  });

  const post = (body: unknown) =>
    call<Reply>(runtime, 'POST', '/v1/alerts/alertmanager', body, { authorization: `Bearer ${LOCAL_ROUTING_KEY}` });
  const opened = async (title: string) => {
    const page = await runtime.deps.store.listByStatus('open', { limit: 100, service: 'fleet' });
    return page.incidents.filter((item) => item.title === title);
  };
  const fingerprintOf = (notification: Webhook, index: number) => {
    const alert = notification.alerts[index];
    if (!alert) throw new Error(`the notification has no alert ${index}`);
    return alert.fingerprint;
  };

  it('a chunk that fails part-way keeps only the alerts that failed, and its retry receives those alone', async () => {
    const notification = fleetNotification(6, 'firing', 'FleetPartlyFailed');
    const webhook = alertmanagerWebhookSchema.parse(notification);
    const integration = integrationFor(runtime.config, LOCAL_ROUTING_KEY) ?? 'none';
    const alerts = webhook.alerts.map((entry) =>
      alertFromAlertmanager(webhook, entry, integration, new Date().toISOString()),
    );
    // Stored as the webhook stores it, and received here rather than dispatched, to see each attempt.
    const ref = { inbox: 'partly-failed', chunk: 0 };
    await runtime.intakeDeps.inbox.put({ ...ref, of: 1, storedAt: new Date().toISOString(), alerts });
    const failing = fingerprintOf(notification, 3);
    // Every SDK attempt of the failing alert's first write fails: that alert fails, the others do not.
    runtime.dynamodb.faults.inject({ operation: 'PutItem', kind: 'internal-error', attempts: 3, mentioning: failing });

    await expect(drainInboxChunk(runtime.intakeDeps, ref)).rejects.toThrow('1 of 6 alert(s)');
    expect(runtime.dynamodb.faults.pending).toBe(0);
    expect((await runtime.intakeDeps.inbox.get(ref))?.alerts.map((alert) => alert.dedupKey)).toEqual([failing]);
    expect(await opened('FleetPartlyFailed')).toHaveLength(5);

    expect(await drainInboxChunk(runtime.intakeDeps, ref)).toEqual({ received: 1, opened: 1 });
    expect(await runtime.intakeDeps.inbox.get(ref)).toBeUndefined();
    expect(await runtime.intakeDeps.inbox.pending()).toEqual([]);
    expect(await opened('FleetPartlyFailed')).toHaveLength(6);
  });

  it('a chunk dead-lettered after every retry keeps its alerts, and the redrive event opens their incidents', async () => {
    const notification = fleetNotification(5, 'firing', 'FleetDeadLettered');
    const failing = fingerprintOf(notification, 0);
    // The chunk is stored (the one write that names it first); then its first attempt and both
    // retries (3 SDK attempts each) fail that alert's first write.
    runtime.dynamodb.faults.inject({
      operation: 'PutItem',
      kind: 'internal-error',
      attempts: 9,
      after: 1,
      mentioning: failing,
    });
    const reply = await post(notification);
    expect(reply.status).toBe(202);
    const ref = { inbox: reply.body.inbox, chunk: 0 };
    const deadLetter = await eventually(
      () => runtime.intakeAsync.failed.find((event) => JSON.stringify(event) === JSON.stringify(inboxEvent(ref))),
      'the chunk given up after its retries',
    );
    expect(deadLetter).toEqual(inboxEvent(ref));
    expect((await runtime.intakeDeps.inbox.get(ref))?.alerts.map((alert) => alert.dedupKey)).toEqual([failing]);
    expect(await opened('FleetDeadLettered')).toHaveLength(4);

    // What the operator sends with `aws lambda invoke` (docs/operations.md, Dead letters): first only older chunks.
    expect(await runtime.invokeIntake({ klaxon: 'redrive-inbox', olderThanMinutes: 60 })).toEqual({
      dispatched: 0,
      skipped: 1,
    });
    expect(await runtime.invokeIntake({ klaxon: 'redrive-inbox' })).toEqual({ dispatched: 1, skipped: 0 });
    await eventually(
      async () => ((await runtime.intakeDeps.inbox.get(ref)) ? undefined : true),
      'the redriven chunk received',
    );
    const incidents = await opened('FleetDeadLettered');
    expect(incidents).toHaveLength(5);
    for (const { fingerprint } of notification.alerts) {
      expect(incidents.filter((item) => item.dedupKey.includes(fingerprint))).toHaveLength(1);
    }
    expect(await runtime.intakeDeps.inbox.pending()).toEqual([]);
  });

  it('firing alerts of a chunk received again after their resolved notification open nothing; sent again after it, they reopen', async () => {
    const title = 'FleetRedone';
    const count = 3;
    const firing = fleetNotification(count, 'firing', title);
    const ofTitle = async (status: string) =>
      (
        await call<{ incidents: Incident[] }>(runtime, 'GET', `/v1/incidents?status=${status}&service=fleet&limit=100`)
      ).body.incidents.filter((item) => item.title === title);
    // The firing chunk's alerts are all received, but deleting the chunk fails on every attempt:
    // the chunk stays stored, dead-lettered, as Lambda leaves it after its retries.
    runtime.dynamodb.faults.inject({
      operation: 'DeleteItem',
      kind: 'internal-error',
      attempts: 9,
      mentioning: 'INBOX#',
    });
    const stored = await post(firing);
    const ref = { inbox: stored.body.inbox, chunk: 0 };
    await eventually(
      () => runtime.intakeAsync.failed.find((event) => JSON.stringify(event) === JSON.stringify(inboxEvent(ref))),
      'the firing chunk given up after its retries',
    );
    runtime.dynamodb.faults.clear();
    const firstRun = await ofTitle('open');
    expect(firstRun).toHaveLength(count);

    const resolved = await post(fleetNotification(count, 'resolved', title));
    await eventually(
      async () => ((await runtime.intakeDeps.inbox.get({ inbox: resolved.body.inbox, chunk: 0 })) ? undefined : true),
      'the resolved chunk received',
    );
    expect(await ofTitle('open')).toEqual([]);

    // The operator redrives the dead-lettered firing chunk (or Lambda ran it late): alerts received
    // before the resolve that ended them. Nothing reopens, nobody is paged.
    expect(await runtime.invokeIntake({ klaxon: 'redrive-inbox' })).toEqual({ dispatched: 1, skipped: 0 });
    await eventually(async () => ((await runtime.intakeDeps.inbox.get(ref)) ? undefined : true), 'the chunk redriven');
    expect(await ofTitle('open')).toEqual([]);
    for (const item of firstRun) {
      const shown = await incident(runtime, item.id);
      expect(shown.status).toBe('resolved');
      expect(shown.timeline.map((entry) => entry.message)).toContainEqual(
        expect.stringMatching(/^Ignored a trigger from alertmanager sent at .*: not after the resolve sent at /),
      );
      expect(runtime.stepFunctions.list().filter((run) => run.input.incidentId === item.id)).toHaveLength(1);
    }

    // Alertmanager sends the same alerts firing again after resolving them (its startsAt unchanged:
    // Prometheus reached it again after a gap longer than the alerts' endsAt): they fire, they page.
    const again = await post(firing);
    await eventually(
      async () => ((await runtime.intakeDeps.inbox.get({ inbox: again.body.inbox, chunk: 0 })) ? undefined : true),
      'the firing chunk received again',
    );
    const reopened = await ofTitle('open');
    expect(reopened.map((item) => item.id).sort()).toEqual(firstRun.map((item) => item.id).sort());
    for (const item of reopened) {
      expect(runtime.stepFunctions.list().filter((run) => run.input.incidentId === item.id)).toHaveLength(2);
    }
  });

  it('refuses a malformed redrive event with what to send, and never reads it as an alarm event', async () => {
    await expect(runtime.invokeIntake({ klaxon: 'redrive-inbox', olderThanMinutes: '30m' })).rejects.toThrow(
      'olderThanMinutes "30m" is not a whole number of minutes',
    );
  });

  it('refuses with 413, before storing anything, one alert that the schema admits but no chunk can hold', async () => {
    // As many labels as the schema admits, common and the alert's own, each at the most that is kept.
    const name = (prefix: string, i: number) => `${prefix}${i}`.padEnd(256, '_');
    const labels = (prefix: string, count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [name(prefix, i), 'v'.repeat(4096)]));
    const notification = fleetNotification(3, 'firing', 'FleetHugeLabels');
    notification.commonLabels = { alertname: 'FleetHugeLabels', ...labels('common', MAX_LABELS - 1) };
    const huge = notification.alerts[1];
    if (!huge) throw new Error('the notification has a second alert');
    huge.labels = { ...huge.labels, ...labels('own', MAX_LABELS - Object.keys(huge.labels).length) };
    expect(alertmanagerWebhookSchema.safeParse(notification).success).toBe(true);

    const reply = await post(notification);
    expect(reply.status).toBe(413);
    expect(reply.body.message).toContain(`The alert with fingerprint ${huge.fingerprint} is`);
    expect(reply.body.message).toContain(`at most ${INBOX_CHUNK_LIMITS.maxBytes} bytes`);
    expect(await runtime.intakeDeps.inbox.pending()).toEqual([]);
    expect(await opened('FleetHugeLabels')).toEqual([]);
  });
});
