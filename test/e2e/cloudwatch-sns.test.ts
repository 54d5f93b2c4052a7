/**
 * CloudWatch alarms through a signed SNS HTTPS subscription, on the local runtime: the SNS
 * stand-in signs with the local certificate and delivers to /v1/alerts/cloudwatch as SNS would.
 */
import type { Context } from 'aws-lambda';
import {
  type CertificateFetcher,
  CertificateUnavailableError,
  snsSignatureVerifier,
} from '../../lambdas/adapters/sns-signature.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { HttpEvent, HttpResult } from '../../lambdas/handlers/http.js';
import { makeReceiveSnsAlarmHandler } from '../../lambdas/handlers/receive-sns-alarm.js';
import type { LocalRuntime } from '../../local/runtime.js';
import type { SnsEnvelope } from '../../local/sns-stand-in.js';
import { fixture, fixtureText } from '../support/fixtures.js';
import { call, eventually, FIXTURE_TOPIC_ARN, incident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

interface Delivery {
  messageId: string;
  message: SnsEnvelope;
  delivery: { status: number; body: { status: string; outcome?: string; incidentId?: string; message?: string } };
}

describe('CloudWatch alarms through signed SNS', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const publish = async (message: string, topicArn = FIXTURE_TOPIC_ARN) =>
    (await call<Delivery>(runtime, 'POST', '/_local/sns/publish', { TopicArn: topicArn, Message: message })).body;

  /** Posts an envelope to the endpoint as SNS does (text/plain JSON). */
  const deliver = (envelope: unknown) =>
    call<{ status?: string; outcome?: string; incidentId?: string; message: string }>(
      runtime,
      'POST',
      '/v1/alerts/cloudwatch',
      JSON.stringify(envelope),
      { 'content-type': 'text/plain; charset=UTF-8' },
    );

  const signed = (name: string) => publish(fixtureText(name));
  const now = () => new Date().toISOString();

  /** A state change of alarm `name` published now (StateChangeTime now, so an OK ends the ALARM before it). */
  const stateChange = (name: string, state: 'ALARM' | 'OK') => {
    const alarm = fixture<Record<string, unknown>>('cloudwatch/metric-alarm.json');
    alarm.AlarmName = name;
    alarm.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
    alarm.NewStateValue = state;
    alarm.StateChangeTime = now();
    return JSON.stringify(alarm);
  };
  const laddersFor = (id: string) =>
    runtime.stepFunctions
      .list('all')
      .filter((execution) => execution.kind === 'escalation' && execution.input.incidentId === id);

  it('opens a SEV1 incident from a metric alarm, with the region code from AlarmArn, and pages', async () => {
    const { delivery } = await signed('cloudwatch/metric-alarm.json');
    expect(delivery).toMatchObject({ status: 200, body: { status: 'success', outcome: 'opened' } });
    const opened = await incident(runtime, delivery.body.incidentId ?? '');
    expect(opened).toMatchObject({ severity: 'SEV1', title: 'orders-api-5xx', source: 'cloudwatch' });
    expect(opened.details).toMatchObject({
      region: 'us-east-1',
      account: '123456789012',
      metric: 'AWS/ApiGateway 5XXError (ApiName=orders-api)',
    });
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === opened.id),
      'the page for the SNS alarm',
    );
  });

  it('reads metric-math and composite alarms, and resolves on OK', async () => {
    const math = (await signed('cloudwatch/metric-math-alarm.json')).delivery.body;
    const mathIncident = await incident(runtime, math.incidentId ?? '');
    expect(mathIncident).toMatchObject({ severity: 'SEV2', title: 'checkout-error-ratio' });
    expect(mathIncident.details.metric).toBe(
      'expression 100*errors/requests; Shop Errors (Service=checkout); Shop Requests (Service=checkout)',
    );

    const composite = (await signed('cloudwatch/composite-alarm.json')).delivery.body;
    const compositeIncident = await incident(runtime, composite.incidentId ?? '');
    expect(compositeIncident).toMatchObject({ severity: 'SEV2', title: 'orders-degraded' });
    expect(compositeIncident.details).toMatchObject({
      alarmRule: 'ALARM("orders-api-5xx") OR ALARM("orders-api-latency")',
      region: 'us-east-1',
    });

    const ok = (await signed('cloudwatch/metric-alarm-ok.json')).delivery;
    expect(ok.body.outcome).toBe('resolved');
    const resolved = await incident(runtime, ok.body.incidentId ?? '');
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'alarm:orders-api-5xx' });
  });

  it('reads an anomaly-detection alarm, whose trigger is a band expression', async () => {
    const alarm = fixture<Record<string, unknown>>('cloudwatch/metric-math-alarm.json');
    alarm.AlarmName = 'latency-anomaly';
    alarm.AlarmArn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:latency-anomaly';
    alarm.AlarmDescription = '[SEV3] p99 latency outside its band';
    alarm.Trigger = {
      Metrics: [
        { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)', Label: 'p99 (expected)', ReturnData: true },
        {
          Id: 'm1',
          MetricStat: { Metric: { MetricName: 'Latency', Namespace: 'AWS/ApiGateway', Dimensions: [] }, Stat: 'p99' },
          ReturnData: true,
        },
      ],
      ThresholdMetricId: 'ad1',
      ComparisonOperator: 'GreaterThanUpperThreshold',
    };
    const { delivery } = await publish(JSON.stringify(alarm));
    const opened = await incident(runtime, delivery.body.incidentId ?? '');
    expect(opened).toMatchObject({ severity: 'SEV3', title: 'latency-anomaly' });
    expect(opened.details).toMatchObject({
      region: 'eu-west-1',
      metric: 'expression ANOMALY_DETECTION_BAND(m1, 2); AWS/ApiGateway Latency',
    });
  });

  it('gives an alarm without a severity the default, and says so on the timeline', async () => {
    const { delivery } = await signed('cloudwatch/no-severity-alarm.json');
    const opened = await incident(runtime, delivery.body.incidentId ?? '');
    expect(opened.severity).toBe('SEV3');
    expect(opened.timeline.find((entry) => entry.type === 'severity-defaulted')?.message).toBe(
      'The alert had no severity in the alarm description; the default SEV3 applies',
    );
  });

  it('ignores INSUFFICIENT_DATA by default, creating nothing', async () => {
    const executions = runtime.stepFunctions.list().length;
    const { delivery } = await signed('cloudwatch/insufficient-data.json');
    expect(delivery).toMatchObject({ status: 200, body: { status: 'ignored' } });
    expect(runtime.stepFunctions.list()).toHaveLength(executions);
  });

  it('treats an SNS retry (same MessageId) as the same delivery: one incident, counted once', async () => {
    const alarm = fixture<Record<string, unknown>>('cloudwatch/metric-alarm.json');
    alarm.AlarmName = 'retry-alarm';
    alarm.AlarmArn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:retry-alarm';
    const first = await publish(JSON.stringify(alarm));
    const retries = await Promise.all([1, 2, 3].map(() => deliver(first.message)));
    expect(retries.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(new Set(retries.map((reply) => reply.body.incidentId))).toEqual(new Set([first.delivery.body.incidentId]));
    expect((await incident(runtime, first.delivery.body.incidentId ?? '')).alertCount).toBe(1);
  });

  it('accepts the shared SNS fixture once signed (version 1 and 2), and refuses it unsigned', async () => {
    // Published now: an SNS message older than its delivery window is refused whoever signed it.
    const notification = { ...fixture<SnsEnvelope>('cloudwatch/sns-notification.json'), Timestamp: now() };
    const unsigned = await deliver(notification);
    expect(unsigned.status).toBe(403);
    expect(unsigned.body.message).toContain('not a certificate the local runtime trusts');

    const v2 = await deliver(runtime.sns.sign(notification, '2'));
    expect(v2.status).toBe(200);
    const v1 = await deliver(runtime.sns.sign({ ...notification, MessageId: 'sig-v1-delivery' }, '1'));
    expect(v1.status).toBe(200);
    expect(v1.body.incidentId).toBe(v2.body.incidentId);
  });

  it('never acts on a replay of a signed message it processed: the ALARM again after the OK reopens nothing and pages nobody', async () => {
    const alarm = await publish(stateChange('replayed-alarm', 'ALARM'));
    expect(alarm.delivery.body.outcome).toBe('opened');
    const id = alarm.delivery.body.incidentId ?? '';
    await eventually(async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === id), 'the page');
    expect((await publish(stateChange('replayed-alarm', 'OK'))).delivery.body.outcome).toBe('resolved');
    const pages = pagesIn(await outbox(runtime)).filter((page) => page.incidentId === id).length;

    // Within the reopen window, where a new ALARM would reopen the incident.
    const replay = await deliver(alarm.message);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ outcome: 'already-processed', incidentId: id });
    const after = await incident(runtime, id);
    expect(after.status).toBe('resolved');
    expect(after.run).toMatchObject({ number: 1, episode: 1 });
    expect(laddersFor(id)).toHaveLength(1);
    expect(pagesIn(await outbox(runtime)).filter((page) => page.incidentId === id)).toHaveLength(pages);

    // A new ALARM of the same alarm (another MessageId) still reopens it.
    expect((await publish(stateChange('replayed-alarm', 'ALARM'))).delivery.body).toMatchObject({
      outcome: 'reopened',
      incidentId: id,
    });
  });

  it('never acts on a replay of a repeat it processed: a copy of the ALARM replayed after a person resolved the incident reopens nothing', async () => {
    const alarm = await publish(stateChange('replayed-repeat', 'ALARM'));
    const id = alarm.delivery.body.incidentId ?? '';
    // The same alarm state in another message (a second topic, or a copy): a repeat.
    const copy = runtime.sns.sign({ ...alarm.message, MessageId: `copy-of-${alarm.message.MessageId}` }, '2');
    expect((await deliver(copy)).body).toMatchObject({ outcome: 'deduplicated', incidentId: id });
    // A person resolves it (no sender time on the resolution), within the reopen window.
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'primary-oncall' })).status).toBe(200);
    const replay = await deliver(copy);
    expect(replay.body).toMatchObject({ outcome: 'already-processed', incidentId: id });
    expect((await incident(runtime, id)).status).toBe('resolved');
  });

  it('never acts on a replay of an EventBridge event it processed', async () => {
    const event = fixture<{
      id: string;
      resources: string[];
      detail: { alarmName: string; state: { value: string; timestamp: string } };
    }>('eventbridge/alarm-state-change.json');
    const name = `eventbridge-replay-${Date.now()}`;
    event.id = `replayed-${name}`;
    event.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`];
    event.detail.alarmName = name;
    event.detail.state.timestamp = now();
    const send = (body: unknown) =>
      call<{ results: { result: { outcome: string; incidentId?: string } }[] }>(
        runtime,
        'POST',
        '/_local/events',
        body,
      );
    const opened = (await send(event)).body.results[0]?.result;
    expect(opened?.outcome).toBe('opened');
    const id = opened?.incidentId ?? '';
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'primary-oncall' })).status).toBe(200);
    expect((await send(event)).body.results[0]?.result.outcome).toBe('already-processed');
    expect((await incident(runtime, id)).status).toBe('resolved');
    expect(laddersFor(id)).toHaveLength(1);
  });

  it('refuses a signed message published outside the delivery window with 403, saying why', async () => {
    const before = runtime.stepFunctions.list('all').length;
    const { message } = await publish(stateChange('stale-message', 'ALARM'));
    const old = runtime.sns.sign({
      ...message,
      MessageId: 'stale',
      Timestamp: new Date(Date.now() - 2 * 3_600_000).toISOString(),
    });
    const reply = await deliver(old);
    expect(reply.status).toBe(403);
    expect(reply.body.message).toContain('this is a replay');
    const ahead = runtime.sns.sign({
      ...message,
      MessageId: 'ahead',
      Timestamp: new Date(Date.now() + 600_000).toISOString(),
    });
    expect((await deliver(ahead)).body.message).toContain('check the clocks');
    expect(runtime.stepFunctions.list('all')).toHaveLength(before + 1);
  });

  describe('checks everything it can before fetching a certificate', () => {
    // The certificate host cannot be reached: each fetch would answer 503, which SNS retries and
    // which trips the operators' 5xx alarm. Only a message that passed every other check may.
    const fetched: string[] = [];
    const unreachable: CertificateFetcher = async (url) => {
      fetched.push(url.href);
      throw new CertificateUnavailableError(`Could not fetch ${url.href}: connect ETIMEDOUT`);
    };
    let handler: (event: HttpEvent, context: Context) => Promise<HttpResult>;
    beforeAll(() => {
      const deps = runtime.intakeDeps;
      handler = makeReceiveSnsAlarmHandler({
        ...deps,
        sns: { ...deps.sns, verifier: snsSignatureVerifier(unreachable) },
      });
    });
    const post = async (envelope: SnsEnvelope) => {
      const event = {
        routeKey: 'POST /v1/alerts/cloudwatch',
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: JSON.stringify(envelope),
        isBase64Encoded: false,
      } as unknown as HttpEvent;
      const result = await handler(event, {} as Context);
      return { status: result.statusCode, message: (JSON.parse(result.body ?? '{}') as { message: string }).message };
    };
    const cert = 'SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
    const sent = () =>
      runtime.sns.notification({ TopicArn: FIXTURE_TOPIC_ARN, Message: stateChange('fetch-check', 'ALARM') });

    it.each([
      [
        'a topic not allowed',
        () => runtime.sns.notification({ TopicArn: 'arn:aws:sns:us-east-1:999999999999:strangers', Message: '{}' }),
        403,
        'is not allowed',
      ],
      [
        'a certificate on an S3 bucket host',
        () => ({ ...sent(), SigningCertURL: `https://sns.s3-accelerate.amazonaws.com/${cert}` }),
        403,
        'not an SNS host',
      ],
      [
        "a certificate on another region's SNS host",
        () => ({ ...sent(), SigningCertURL: `https://sns.eu-west-1.amazonaws.com/${cert}` }),
        403,
        'not an SNS host',
      ],
      [
        'a Timestamp two hours old',
        () => ({ ...sent(), Timestamp: new Date(Date.now() - 7_200_000).toISOString() }),
        403,
        'this is a replay',
      ],
      ['an unreadable Timestamp', () => ({ ...sent(), Timestamp: 'yesterday' }), 400, 'Timestamp'],
      ['an unknown SignatureVersion', () => ({ ...sent(), SignatureVersion: '3' }), 400, 'SignatureVersion'],
      ['an unknown message type', () => ({ ...sent(), Type: 'Surprise' }), 400, 'Type'],
    ])('%s gets a 4xx and nothing is fetched', async (_, envelope, status, says) => {
      const reply = await post(envelope());
      expect(reply).toMatchObject({ status });
      expect(reply.message).toContain(says);
      expect(fetched).toEqual([]);
    });

    it('fetches only for a message that passed every check, and answers 503 when the certificate cannot be had', async () => {
      const reply = await post(sent());
      expect(reply.status).toBe(503);
      expect(reply.message).toContain('retry later');
      expect(fetched).toEqual([runtime.sns.certificateUrlFor(FIXTURE_TOPIC_ARN)]);
    });
  });

  describe('refuses with 403 what SNS did not sign', () => {
    const alarm = () => fixtureText('cloudwatch/metric-alarm.json');

    it('a tampered message', async () => {
      const { message } = await publish(alarm());
      const tampered = { ...message, Message: message.Message?.replace('severity=SEV1', 'severity=SEV4') };
      const reply = await deliver(tampered);
      expect(reply.status).toBe(403);
      expect(reply.body.message).toContain('Invalid Signature');
    });

    it('a certificate on a foreign host, even one that looks like SNS', async () => {
      const { message } = await publish(alarm());
      for (const host of ['evil.example.com', 'sns.us-east-1.amazonaws.com.evil.example', 'sns.amazonaws.com']) {
        const reply = await deliver({
          ...message,
          SigningCertURL: `https://${host}/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem`,
        });
        expect(reply.status).toBe(403);
        expect(reply.body.message).toContain('is not an SNS host');
      }
    });

    it('an http:// certificate URL', async () => {
      const { message } = await publish(alarm());
      const reply = await deliver({ ...message, SigningCertURL: message.SigningCertURL?.replace('https:', 'http:') });
      expect(reply.status).toBe(403);
      expect(reply.body.message).toContain('must use https');
    });

    it('a topic the config does not allow, even correctly signed', async () => {
      const before = runtime.stepFunctions.list().length;
      const { delivery } = await publish(alarm(), 'arn:aws:sns:us-east-1:999999999999:someone-elses-topic');
      expect(delivery.status).toBe(403);
      expect(delivery.body.message).toContain('is not allowed');
      expect(runtime.stepFunctions.list()).toHaveLength(before);
    });
  });

  it('confirms a subscription for an allowed topic by itself, and refuses one for another topic', async () => {
    const allowed = await call<Delivery>(runtime, 'POST', '/_local/sns/subscribe', { TopicArn: FIXTURE_TOPIC_ARN });
    expect(allowed.body.delivery).toMatchObject({ status: 200, body: { status: 'confirmed' } });
    const other = 'arn:aws:sns:us-east-1:999999999999:not-ours';
    const refused = await call<Delivery>(runtime, 'POST', '/_local/sns/subscribe', { TopicArn: other });
    expect(refused.body.delivery.status).toBe(403);
    const shared = await deliver(
      runtime.sns.sign({ ...fixture<SnsEnvelope>('cloudwatch/sns-subscription-confirmation.json'), Timestamp: now() }),
    );
    expect(shared.status).toBe(200);
    const confirmed = await call<{ confirmed: string[] }>(runtime, 'GET', '/_local/sns/subscriptions');
    expect(confirmed.body.confirmed).toEqual([FIXTURE_TOPIC_ARN, FIXTURE_TOPIC_ARN]);
  });

  it('logs and records an UnsubscribeConfirmation: someone cut the pager off', async () => {
    const reply = await call<Delivery>(runtime, 'POST', '/_local/sns/unsubscribe', { TopicArn: FIXTURE_TOPIC_ARN });
    expect(reply.body.delivery).toMatchObject({ status: 200, body: { status: 'recorded' } });
    await deliver(reply.body.message); // SNS redelivers: recorded once
    const notices = await runtime.intakeDeps.records.listNotices('sns-unsubscribed', 10);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ topicArn: FIXTURE_TOPIC_ARN, id: reply.body.messageId });
    expect(notices[0]?.message).toContain('no longer reach the pager');
  });

  it('takes the same alarms in their EventBridge shape, composite included', async () => {
    const composite = await call<{ results: { result: { incidentId: string } }[] }>(
      runtime,
      'POST',
      '/_local/events',
      fixture('eventbridge/composite-alarm-state-change.json'),
    );
    // The composite already came through SNS above: same alarm ARN, same incident.
    const viaEventBridge = await incident(runtime, composite.body.results[0]?.result.incidentId ?? '');
    expect(viaEventBridge).toMatchObject({ title: 'orders-degraded', severity: 'SEV2', alertCount: 2 });
    expect(viaEventBridge.details.alarmRule).toBe('ALARM("orders-api-5xx") OR ALARM("orders-api-latency")');
    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
    expect(open.body.incidents.filter((item) => item.title === 'orders-degraded')).toHaveLength(1);
  });
});
