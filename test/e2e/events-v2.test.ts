import type { Incident } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { fixture, fixtureText } from '../support/fixtures.js';
import {
  call,
  eventually,
  FIXTURE_ROUTING_KEY,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
} from '../support/local.js';

describe('Events API v2 intake', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const openIncidents = async () =>
    (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100')).body.incidents;

  it("resolves by dedup key whatever time the trigger's sender put on it (its clock may run ahead)", async () => {
    const trigger = fixture<{ dedup_key: string; payload: { timestamp?: string } }>('events-v2/trigger.json');
    trigger.dedup_key = 'clock-ahead/resolve';
    trigger.payload.timestamp = new Date(Date.now() + 3600_000).toISOString();
    expect((await call(runtime, 'POST', '/v1/alerts/events', trigger)).status).toBe(202);
    const id = (await openIncidents()).find((item) => item.dedupKey === 'clock-ahead/resolve')?.id ?? '';

    const resolve = { ...fixture<Record<string, string>>('events-v2/resolve.json'), dedup_key: 'clock-ahead/resolve' };
    expect((await call(runtime, 'POST', '/v1/alerts/events', resolve)).status).toBe(202);
    expect((await incident(runtime, id)).status).toBe('resolved');
  });

  it('answers a trigger with 202 and the dedup key, pages at once, and moves the incident on acknowledge and resolve', async () => {
    const triggered = await call(runtime, 'POST', '/v1/alerts/events', fixture('events-v2/trigger.json'));
    expect(triggered).toEqual({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: 'db-primary/replication-lag' },
    });
    const opened = (await openIncidents()).find((item) => item.dedupKey === 'db-primary/replication-lag');
    expect(opened).toMatchObject({
      severity: 'SEV1',
      service: 'database',
      title: 'Replication lag on db-primary above 30s',
    });
    const id = opened?.id ?? '';
    await eventually(async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === id), 'the page');

    const again = await call(runtime, 'POST', '/v2/enqueue', fixture('events-v2/trigger.json'));
    expect(again.status).toBe(202);
    expect((await openIncidents()).filter((item) => item.dedupKey === 'db-primary/replication-lag')).toHaveLength(1);

    expect((await call(runtime, 'POST', '/v1/alerts/events', fixture('events-v2/acknowledge.json'))).status).toBe(202);
    expect((await incident(runtime, id)).status).toBe('acknowledged');

    expect((await call(runtime, 'POST', '/v1/alerts/events', fixture('events-v2/resolve.json'))).status).toBe(202);
    const resolved = await incident(runtime, id);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'integration:fixtures' });

    // After resolve, the same key opens a new incident.
    await call(runtime, 'POST', '/v1/alerts/events', fixture('events-v2/trigger.json'));
    const reopened = (await openIncidents()).filter((item) => item.dedupKey === 'db-primary/replication-lag');
    expect(reopened).toHaveLength(1);
    expect(reopened[0]?.id).not.toBe(id);
  });

  it('opens a new incident for every trigger without a dedup_key, and returns the key it made', async () => {
    const event = {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      payload: { summary: 'Disk 95% on build-7', source: 'build-7', severity: 'warning' },
    };
    const first = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', event);
    const second = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', event);
    expect(first.body.dedup_key).not.toBe(second.body.dedup_key);
    const disks = (await openIncidents()).filter((item) => item.title === 'Disk 95% on build-7');
    expect(disks).toHaveLength(2);
    expect(disks.every((item) => item.severity === 'SEV3')).toBe(true);
  });

  // PagerDuty scopes a dedup_key to the integration (service) that sent it: two teams that both
  // chose "disk-full" are two problems, and neither team's events may touch the other's incident.
  it("two integrations that use the same dedup_key get an incident each: the second team's critical alert opens and pages its own SEV1", async () => {
    const teamA = await call(runtime, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'disk-full',
      payload: { summary: 'Team A: disk 91% on build-agent-3', source: 'build-agent-3', severity: 'info' },
    });
    expect(teamA.status).toBe(202);
    const teamB = await call(runtime, 'POST', '/v1/alerts/events', {
      routing_key: FIXTURE_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'disk-full',
      payload: {
        summary: 'Team B: disk 99% on payments-db-primary',
        source: 'payments-db-primary',
        severity: 'critical',
      },
    });
    expect(teamB.status).toBe(202);

    const open = (await openIncidents()).filter((item) => item.dedupKey === 'disk-full');
    expect(open.map((item) => [item.title, item.severity]).sort()).toEqual([
      ['Team A: disk 91% on build-agent-3', 'SEV4'],
      ['Team B: disk 99% on payments-db-primary', 'SEV1'],
    ]);
    const sev1 = open.find((item) => item.severity === 'SEV1');
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === sev1?.id),
      "the page for team B's SEV1",
    );
  });

  it("an integration's acknowledge and resolve move only its own incident, never another integration's with the same dedup_key", async () => {
    const event = (routingKey: string, action: string, summary?: string) => ({
      routing_key: routingKey,
      event_action: action,
      dedup_key: 'shared/backup-failed',
      ...(summary ? { payload: { summary, source: 'backup', severity: 'warning' } } : {}),
    });
    await call(
      runtime,
      'POST',
      '/v1/alerts/events',
      event(LOCAL_ROUTING_KEY, 'trigger', 'Team A: nightly backup failed'),
    );
    const teamA = (await openIncidents()).find((item) => item.dedupKey === 'shared/backup-failed');
    expect(teamA?.title).toBe('Team A: nightly backup failed');
    const teamAId = teamA?.id ?? '';

    // Team B has no incident with this key: its acknowledge and resolve find nothing to act on.
    expect((await call(runtime, 'POST', '/v1/alerts/events', event(FIXTURE_ROUTING_KEY, 'acknowledge'))).status).toBe(
      202,
    );
    expect((await call(runtime, 'POST', '/v1/alerts/events', event(FIXTURE_ROUTING_KEY, 'resolve'))).status).toBe(202);
    expect((await incident(runtime, teamAId)).status).toBe('open');

    // Team B opens its own, acknowledges and resolves it; team A's stays open and keeps its alerts.
    await call(runtime, 'POST', '/v1/alerts/events', event(FIXTURE_ROUTING_KEY, 'trigger', 'Team B: backup failed'));
    const teamB = (await openIncidents()).find((item) => item.title === 'Team B: backup failed');
    expect(teamB?.id).not.toBe(teamAId);
    const teamBId = teamB?.id ?? '';
    await call(runtime, 'POST', '/v1/alerts/events', event(FIXTURE_ROUTING_KEY, 'acknowledge'));
    expect((await incident(runtime, teamBId)).status).toBe('acknowledged');
    expect((await incident(runtime, teamAId)).status).toBe('open');
    await call(runtime, 'POST', '/v1/alerts/events', event(FIXTURE_ROUTING_KEY, 'resolve'));
    expect((await incident(runtime, teamBId)).status).toBe('resolved');
    expect(await incident(runtime, teamAId)).toMatchObject({ status: 'open', alertCount: 1 });

    // Team A's repeat still joins team A's incident; its resolve closes it.
    await call(
      runtime,
      'POST',
      '/v1/alerts/events',
      event(LOCAL_ROUTING_KEY, 'trigger', 'Team A: backup failed again'),
    );
    expect(await incident(runtime, teamAId)).toMatchObject({ status: 'open', alertCount: 2 });
    await call(runtime, 'POST', '/v1/alerts/events', event(LOCAL_ROUTING_KEY, 'resolve'));
    expect((await incident(runtime, teamAId)).status).toBe('resolved');
  });

  it.each([
    ['bad/events-v2-bad-action.json', 400, 'event_action'],
    ['bad/events-v2-bad-severity.json', 400, 'payload.severity'],
    ['bad/events-v2-missing-summary.json', 400, 'payload.summary'],
    ['bad/events-v2-unknown-key.json', 403, 'routing_key'],
    ['bad/not-json.txt', 400, 'not valid JSON'],
    ['bad/truncated.json', 400, 'not valid JSON'],
    ['bad/empty.json', 400, 'empty'],
    ['bad/array.json', 400, 'JSON object'],
  ])('refuses %s with %i and says what is wrong, creating nothing', async (name, status, mentions) => {
    const before = (await openIncidents()).length;
    const reply = await call<{ status: string; message: string; errors: string[] }>(
      runtime,
      'POST',
      '/v1/alerts/events',
      fixtureText(name),
    );
    expect(reply.status).toBe(status);
    expect(reply.body.status).toBe('invalid event');
    expect(`${reply.body.message} ${reply.body.errors.join(' ')}`).toContain(mentions);
    expect(await openIncidents()).toHaveLength(before);
  });

  it('counts a repeat whose 1,024-character summary is 2 KB of UTF-8, and lists it on the timeline', async () => {
    const trigger = (summary: string, timestamp: string) => ({
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `long-summary/${'k'.repeat(200)}`,
      payload: { summary, source: 'build-7', severity: 'warning', timestamp },
    });
    expect(
      (await call(runtime, 'POST', '/v1/alerts/events', trigger('Queue stuck', '2026-12-05T10:00:00Z'))).status,
    ).toBe(202);
    const long = 'é'.repeat(1024);
    const repeat = await call(runtime, 'POST', '/v1/alerts/events', trigger(long, '2026-12-05T10:05:00Z'));
    expect(repeat.status).toBe(202);
    const opened = (await openIncidents()).find((item) => item.dedupKey.startsWith('long-summary/'));
    const stored = await incident(runtime, opened?.id ?? '');
    expect(stored.alertCount).toBe(2);
    expect(stored.timeline.find((entry) => entry.message === `Alert repeated: ${long}`)).toBeDefined();
  });

  it('refuses a body that is not JSON by content type with 415', async () => {
    const reply = await call<{ message: string }>(runtime, 'POST', '/v1/alerts/events', 'routing_key=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(reply.status).toBe(415);
    expect(reply.body.message).toContain('application/json');
  });
});
