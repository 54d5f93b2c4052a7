/** Prometheus Alertmanager's webhook (version 4), authenticated by a bearer integration key. */
import type { Incident } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { fixture } from '../support/fixtures.js';
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

type Webhook = { alerts: Record<string, unknown>[]; status: string } & Record<string, unknown>;
type Reply = {
  status: string;
  alerts: { fingerprint: string; outcome: string; incidentId: string }[];
  message: string;
};

describe('Alertmanager webhook intake', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const post = (body: unknown, token: string | null = LOCAL_ROUTING_KEY) =>
    call<Reply>(runtime, 'POST', '/v1/alerts/alertmanager', body, token ? { authorization: `Bearer ${token}` } : {});
  const openIncidents = async () =>
    (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100')).body.incidents;

  it('opens one incident per fingerprint with the severity label through the aliases, and resolves it', async () => {
    const firing = await post(fixture('alertmanager/firing.json'));
    expect(firing.status).toBe(200);
    expect(firing.body.alerts).toEqual([
      { fingerprint: 'c6a3f1d9e2b4a5f7', outcome: 'opened', incidentId: expect.any(String) },
    ]);
    const id = firing.body.alerts[0]?.incidentId ?? '';
    const opened = await incident(runtime, id);
    expect(opened).toMatchObject({
      title: 'HighErrorRate',
      severity: 'SEV1',
      service: 'api',
      source: 'alertmanager',
      summary: 'High error rate detected',
    });
    expect(opened.details).toMatchObject({ 'label.instance': 'api-1:8080', fingerprint: 'c6a3f1d9e2b4a5f7' });
    await eventually(async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === id), 'the page');

    // Alertmanager repeats a firing group every repeat_interval: same incident, counted once.
    const repeat = await post(fixture('alertmanager/firing.json'));
    expect(repeat.body.alerts[0]).toMatchObject({ outcome: 'deduplicated', incidentId: id });
    expect((await incident(runtime, id)).alertCount).toBe(1);

    const resolved = await post(fixture('alertmanager/resolved.json'));
    expect(resolved.body.alerts[0]).toMatchObject({ outcome: 'resolved', incidentId: id });
    expect(await incident(runtime, id)).toMatchObject({
      status: 'resolved',
      resolvedBy: 'integration:local-dev (key: klaxonlocaldevroutingkey00000001)',
    });
  });

  it('opens a separate incident for each fingerprint of one group, and defaults an unknown severity', async () => {
    const webhook = fixture<Webhook>('alertmanager/firing.json');
    const [first] = webhook.alerts;
    webhook.commonLabels = { alertname: 'DiskFull' };
    webhook.alerts = ['aaaa0001', 'aaaa0002', 'aaaa0003'].map((fingerprint) => ({
      ...first,
      fingerprint,
      labels: { alertname: 'DiskFull', severity: 'page-someone', instance: fingerprint },
    }));
    const reply = await post(webhook);
    expect(reply.body.alerts.map((alert) => alert.outcome)).toEqual(['opened', 'opened', 'opened']);
    const disk = (await openIncidents()).filter((item) => item.title === 'DiskFull');
    expect(disk).toHaveLength(3);
    expect(disk.every((item) => item.severity === 'SEV3')).toBe(true);
    const shown = await incident(runtime, disk[0]?.id ?? '');
    expect(shown.timeline.find((entry) => entry.type === 'severity-defaulted')?.message).toBe(
      'The alert had unknown severity "page-someone" in the severity label; the default SEV3 applies',
    );
  });

  // Two Alertmanagers (two teams' integration keys) can send the same fingerprint: the same labels
  // on different clusters. Each is its own problem, and one team's "resolved" is not the other's.
  it("two integrations sending the same fingerprint get an incident each, and one's resolved leaves the other's open", async () => {
    const webhook = (status: 'firing' | 'resolved', severity: string) => {
      const body = fixture<Webhook>('alertmanager/firing.json');
      body.status = status;
      body.alerts = body.alerts.map((alert) => ({
        ...alert,
        status,
        fingerprint: 'shared0000000001',
        labels: { alertname: 'NodeDown', severity },
      }));
      return body;
    };
    const teamA = await post(webhook('firing', 'info'));
    const teamB = await post(webhook('firing', 'critical'), FIXTURE_ROUTING_KEY);
    expect([teamA.body.alerts[0]?.outcome, teamB.body.alerts[0]?.outcome]).toEqual(['opened', 'opened']);
    const teamAId = teamA.body.alerts[0]?.incidentId ?? '';
    const teamBId = teamB.body.alerts[0]?.incidentId ?? '';
    expect(teamBId).not.toBe(teamAId);
    expect((await incident(runtime, teamBId)).severity).toBe('SEV1');
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === teamBId),
      "the page for team B's SEV1",
    );

    const resolved = await post(webhook('resolved', 'critical'), FIXTURE_ROUTING_KEY);
    expect(resolved.body.alerts[0]).toMatchObject({ outcome: 'resolved', incidentId: teamBId });
    expect((await incident(runtime, teamAId)).status).toBe('open');
  });

  it.each([
    ['no Authorization header', null, 401, 'Authorization: Bearer'],
    ['an unknown bearer token', 'not-a-key', 403, 'Unknown integration key'],
  ])('refuses %s, creating nothing', async (_, token, status, mentions) => {
    const before = (await openIncidents()).length;
    const webhook = fixture<Webhook>('alertmanager/firing.json');
    webhook.alerts = webhook.alerts.map((alert) => ({ ...alert, fingerprint: 'unauthorised-1' }));
    const reply = await post(webhook, token);
    expect(reply.status).toBe(status);
    expect(reply.body.message).toContain(mentions);
    expect(await openIncidents()).toHaveLength(before);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['version 3', { version: '3' }, 'version'],
    ['no alerts', { alerts: [] }, 'at least one alert'],
    ['an alert without fingerprint', { alerts: [{ status: 'firing', labels: {} }] }, 'alerts.0.fingerprint'],
    ['a status that is not firing or resolved', { status: 'exploded' }, 'status'],
  ])('refuses a webhook with %s with 400 naming the field', async (_, change, mentions) => {
    const reply = await post({ ...fixture<Webhook>('alertmanager/firing.json'), ...change });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain(mentions);
  });
});
