/**
 * Routing rules (first match wins, default route) and maintenance windows, on the local runtime
 * with a config of its own.
 */
import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { HttpEvent } from '../../lambdas/handlers/http.js';
import { makeServiceMaintenanceHandler } from '../../lambdas/handlers/service-maintenance.js';
import type { CloudWatchAlarmEvent } from '../../lambdas/schemas/cloudwatch-alarm-event.js';
import { ManualClock } from '../../local/clock.js';
import { lambdaContext } from '../../local/gateway.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { alarmStateChange, fixture, fixtureText } from '../support/fixtures.js';
import {
  call,
  FIXTURE_TOPIC_ARN,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
  testConfig,
} from '../support/local.js';

type RuleReply = { results: { result: { outcome: string; incidentId: string } }[] };

describe('routing rules and maintenance windows', () => {
  let runtime: LocalRuntime;
  // From the real time: the alarm fixtures are stamped with it.
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    const config = parseConfig({
      ...testConfig(),
      routes: [
        { name: 'payments alarms', match: { alarmName: 'payments-*' }, service: 'payments' },
        { name: 'search team', match: { descriptionTag: 'team=search' }, service: 'search', severity: 'SEV4' },
        { name: 'shop metrics', match: { namespace: 'Shop' }, service: 'checkout', defaultSeverity: 'SEV2' },
        {
          name: 'prod databases',
          match: { labels: { team: 'db', env: 'prod*' } },
          service: 'database',
          defaultSeverity: 'SEV1',
        },
        { name: 'edge', match: { source: 'events-v2', component: 'nginx' }, service: 'edge' },
        { name: 'catch-all payments', match: { alarmName: '*' }, service: 'never-reached-for-payments' },
      ],
      alertPolicy: { SEV1: { insufficientData: 'alert' } },
    });
    runtime = await startTestRuntime({ config, clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const alarm = (name: string, description: string | null, id = `${name}-1`) =>
    alarmStateChange({ name, state: 'ALARM', id, description });
  const fire = async (event: CloudWatchAlarmEvent) => {
    const reply = await call<RuleReply>(runtime, 'POST', '/_local/events', event);
    expect(reply.status).toBe(200);
    return incident(runtime, reply.body.results[0]?.result.incidentId ?? '');
  };

  it('maps an alarm to a service by name pattern, first match winning', async () => {
    expect(await fire(alarm('payments-api-5xx', 'severity=SEV1 card payments failing'))).toMatchObject({
      service: 'payments',
      severity: 'SEV1',
    });
  });

  it('forces the severity a rule names, whatever the alarm says (description tag)', async () => {
    expect(await fire(alarm('search-reindex-slow', 'severity=SEV1 team=search reindex slow'))).toMatchObject({
      service: 'search',
      severity: 'SEV4',
    });
  });

  it('routes by metric namespace and uses the route default for an alarm without severity, on the timeline', async () => {
    const message = JSON.parse(fixtureText('cloudwatch/metric-math-alarm.json')) as Record<string, unknown>;
    message.AlarmDescription = 'checkout error ratio above 2%';
    const published = await call<{ delivery: { body: { incidentId: string } } }>(
      runtime,
      'POST',
      '/_local/sns/publish',
      {
        TopicArn: FIXTURE_TOPIC_ARN,
        Message: JSON.stringify(message),
      },
    );
    const opened = await incident(runtime, published.body.delivery.body.incidentId);
    expect(opened).toMatchObject({ service: 'checkout', severity: 'SEV2' });
    expect(opened.timeline.find((entry) => entry.type === 'severity-defaulted')?.message).toBe(
      `The alert had no severity in the alarm description; route "shop metrics"'s default SEV2 applies`,
    );
  });

  it('routes Alertmanager alerts by labels, with the route default for an unknown severity', async () => {
    const webhook = fixture<{ alerts: Record<string, unknown>[]; commonLabels: Record<string, string> }>(
      'alertmanager/firing.json',
    );
    // A group is routed by what all its alerts share: Alertmanager's commonLabels.
    const labels = { alertname: 'ReplicationLag', team: 'db', env: 'production', severity: 'pageworthy' };
    webhook.commonLabels = labels;
    webhook.alerts = webhook.alerts.map((alert) => ({ ...alert, fingerprint: 'db-prod-1', labels }));
    const reply = await call<{ incidentId: string }>(runtime, 'POST', '/v1/alerts/alertmanager', webhook, {
      authorization: `Bearer ${LOCAL_ROUTING_KEY}`,
    });
    const opened = await incident(runtime, reply.body.incidentId);
    expect(opened).toMatchObject({ service: 'database', severity: 'SEV1' });
    expect(opened.timeline.map((entry) => entry.message)).toContain(
      `The alert had unknown severity "pageworthy" in the severity labels of the firing alerts; route "prod databases"'s default SEV1 applies`,
    );
  });

  it('routes Events v2 by component, and leaves unmatched events on the default route', async () => {
    const event = (component: string) => ({
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `edge-${component}`,
      payload: { summary: `${component} 502s`, source: 'lb-1', severity: 'error', component },
    });
    await call(runtime, 'POST', '/v1/alerts/events', event('nginx'));
    await call(runtime, 'POST', '/v1/alerts/events', event('haproxy'));
    const open = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100')).body
      .incidents;
    expect(open.find((item) => item.title === 'nginx 502s')).toMatchObject({ service: 'edge', severity: 'SEV2' });
    // No rule: the sender's component stands, as before routing existed.
    expect(open.find((item) => item.title === 'haproxy 502s')).toMatchObject({ service: 'haproxy' });
  });

  it("opens an incident from INSUFFICIENT_DATA when the alarm's tier asks for it", async () => {
    const published = await call<{ delivery: { body: { outcome: string; incidentId: string } } }>(
      runtime,
      'POST',
      '/_local/sns/publish',
      { TopicArn: FIXTURE_TOPIC_ARN, Message: fixtureText('cloudwatch/insufficient-data.json') },
    );
    expect(published.body.delivery.body.outcome).toBe('opened');
    expect(await incident(runtime, published.body.delivery.body.incidentId)).toMatchObject({ severity: 'SEV1' });
  });

  describe('maintenance windows', () => {
    it('refuses a window that ends in the past, a bad service name or a missing end, with 400', async () => {
      const past = await call<{ message: string }>(runtime, 'POST', '/v1/services/payments/maintenance', {
        until: '2020-01-01T00:00:00Z',
      });
      expect(past.status).toBe(400);
      expect(past.body.message).toContain('is in the past');
      const badName = await call(runtime, 'POST', '/v1/services/%3Cscript%3E/maintenance', {
        until: new Date(clock.now().getTime() + 60_000).toISOString(),
      });
      expect(badName.status).toBe(400);
      const missing = await call<{ message: string }>(runtime, 'POST', '/v1/services/payments/maintenance', {});
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('until');
    });

    it('on AWS records the IAM caller as who set a window, a `by` naming someone else only on their behalf', async () => {
      const priya = 'arn:aws:sts::123456789012:assumed-role/Oncall/priya';
      const config = parseConfig({
        ...testConfig(),
        responders: testConfig().responders.map((responder) =>
          responder.id === 'primary-oncall' ? { ...responder, iamPrincipals: [priya] } : responder,
        ),
      });
      const maintenance = makeServiceMaintenanceHandler({ ...runtime.intakeDeps, config });
      /** The intake function as API Gateway invokes it on AWS: the caller's ARN in the request context. */
      const setAs = async (userArn: string, by?: string) => {
        const result = await maintenance(
          {
            routeKey: 'POST /v1/services/{name}/maintenance',
            rawPath: '/v1/services/iam-window/maintenance',
            headers: { 'content-type': 'application/json' },
            pathParameters: { name: 'iam-window' },
            body: JSON.stringify({ until: new Date(clock.now().getTime() + 60_000).toISOString(), by }),
            isBase64Encoded: false,
            requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn } } },
          } as unknown as HttpEvent,
          lambdaContext('klaxon-intake'),
        );
        return JSON.parse(result.body ?? '{}') as { by: string };
      };
      // A role session name is the caller's to choose: it names nobody.
      expect((await setAs('arn:aws:sts::123456789012:assumed-role/Deployer/primary-oncall')).by).toBe(
        'assumed-role/Deployer/primary-oncall',
      );
      expect((await setAs(priya)).by).toBe('primary-oncall');
      expect((await setAs(priya, 'secondary-oncall')).by).toBe('primary-oncall on behalf of secondary-oncall');
    });

    it('keeps alerts for a service in maintenance on a timeline, and pages the primary at the window end, once', async () => {
      const until = new Date(clock.now().getTime() + 90 * 60_000).toISOString();
      const set = await call(runtime, 'POST', '/v1/services/payments/maintenance', {
        until,
        reason: 'card processor migration',
        by: 'primary-oncall',
      });
      expect(set.status).toBe(200);
      expect((await call(runtime, 'GET', '/v1/services/payments/maintenance')).body).toMatchObject({
        service: 'payments',
        endsAt: until,
        reason: 'card processor migration',
      });

      const held = await fire(alarm('payments-refunds-5xx', 'severity=SEV1 refunds failing', 'held-1'));
      expect(held).toMatchObject({ service: 'payments', status: 'open' });
      expect(held.run).toMatchObject({ number: 1, held: { until, reason: 'card processor migration' } });
      expect(held.run.ladder).toBeUndefined();
      expect(held.timeline.find((entry) => entry.type === 'maintenance')?.message).toBe(
        `Service payments is in maintenance until ${until} (card processor migration): recorded, nobody paged`,
      );
      // Another service is not affected.
      const other = await fire(alarm('orders-disk-full', 'severity=SEV3 disk', 'other-1'));
      expect(other.run.ladder).toBeDefined();

      const heldPages = async () => pagesIn(await outbox(runtime)).filter((page) => page.incidentId === held.id);
      await clock.advanceTo(Date.parse(until) - 1);
      expect(await heldPages()).toEqual([]);
      // The alarm stays in ALARM and sends nothing more: the window's end starts the ladder.
      await clock.advanceTo(until);
      const ended = await incident(runtime, held.id);
      expect(ended.run).toMatchObject({ number: 2, cause: 'maintenance-ended', episode: 1, by: 'klaxon' });
      expect((await heldPages()).map((page) => [page.responder, page.at])).toEqual([['primary-oncall', until]]);

      // An alert after the window joins the ladder the window's end started: no second start.
      const after = await fire(alarm('payments-refunds-5xx', 'severity=SEV1 refunds failing', 'after-1'));
      expect(after.id).toBe(held.id);
      expect(after.run).toMatchObject({ number: 2, cause: 'maintenance-ended' });
      expect(await heldPages()).toHaveLength(1);

      // Nobody was asked for a status update while the window held the page: SEV1's every 15
      // minutes count from the window's end, not from the alert 90 minutes before it.
      const reminders = async () =>
        (await outbox(runtime)).filter(
          (message) =>
            message.service === 'sns' && message.incidentId === held.id && message.purpose === 'status-update-reminder',
        );
      await clock.advanceTo(Date.parse(until) + 2 * 60_000);
      expect(await reminders()).toEqual([]);
      await clock.advanceTo(Date.parse(until) + 16 * 60_000);
      // On the whole second after it falls due, as a one-time schedule fires.
      expect((await reminders()).map((message) => message.at)).toEqual([
        new Date(Math.ceil((Date.parse(until) + 15 * 60_000) / 1000) * 1000).toISOString(),
      ]);
    });
  });
});
