/**
 * A refused alert is an alert that became no incident: every 4xx on an alert route is logged as a
 * warning with its reason and sender (never the key or the body) and counted as an EMF metric,
 * by service for the operators' alarm and by route and integration to find the sender.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { jest } from '@jest/globals';
import { ALERTS_REFUSED, METRICS_NAMESPACE, refusalCounter } from '../../lambdas/adapters/incident-metrics.js';
import type { HttpEvent, HttpResult } from '../../lambdas/handlers/http.js';
import { makeIntakeHandler } from '../../lambdas/handlers/intake.js';
import type { Logger } from '../../lambdas/handlers/logger.js';
import { lambdaContext } from '../../local/gateway.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { FIXTURE_TOPIC_ARN, LOCAL_ROUTING_KEY, startTestRuntime } from '../support/local.js';

type LogLine = { level: 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> };

function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: LogLine['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      void lines.push({ level, message, fields: Object.assign({}, ...extra) });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** An API Gateway (payload 2.0) request to `routeKey`, as the HTTP API hands it to intake. */
function request(routeKey: string, body: string, headers: Record<string, string> = {}): HttpEvent {
  const [method = 'POST', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'sender' },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '05/Dec/2026:10:00:00 +0000',
      timeEpoch: Date.parse('2026-12-05T10:00:00Z'),
    },
    body,
    isBase64Encoded: false,
  };
}

/** The EMF documents written to stdout while `action` ran. */
async function emfOf(action: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `dimension names → values` of each refusal metric document, e.g. `service,route,integration → …`. */
const refusalSeries = (documents: Record<string, unknown>[]) =>
  documents.map((document) => {
    const [definition] = (document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] })
      .CloudWatchMetrics;
    const [names = []] = definition?.Dimensions ?? [];
    return {
      namespace: definition?.Namespace,
      dimensions: Object.fromEntries(names.map((name) => [name, document[name]])),
      count: document[ALERTS_REFUSED],
    };
  });

describe('alerts refused with a 4xx', () => {
  let runtime: LocalRuntime;
  let lines: LogLine[];
  let intake: ReturnType<typeof makeIntakeHandler>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });
  beforeEach(() => {
    lines = [];
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'Klaxon' });
    intake = makeIntakeHandler({
      ...runtime.intakeDeps,
      logger: recordingLogger(lines),
      countRefusal: refusalCounter(metrics),
    });
  });
  const send = async (event: HttpEvent) => (await intake(event, lambdaContext('klaxon-intake'))) as HttpResult;
  const warnings = () => lines.filter((line) => line.level === 'warn');

  it('logs an unknown routing key with its reason and counts it by route and sender "unknown", outside the alarmed series', async () => {
    const secret = 'a-key-nobody-configured-0000001';
    let result: HttpResult | undefined;
    const documents = await emfOf(async () => {
      result = await send(
        request(
          'POST /v2/enqueue',
          JSON.stringify({
            routing_key: secret,
            event_action: 'trigger',
            payload: { summary: 's', source: 'x', severity: 'critical' },
          }),
        ),
      );
    });
    expect(result?.statusCode).toBe(403);
    expect(warnings()).toEqual([
      {
        level: 'warn',
        message: 'Alert refused: the sender got a 4xx and its alert opened no incident',
        fields: {
          route: 'POST /v2/enqueue',
          status: 403,
          integration: 'unknown',
          reason: 'Unknown routing_key: no Klaxon integration has this key. Check the integration key you were given.',
        },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(secret);
    // A stranger's request: in the alarmed series (service alone) anyone could hold the alarm on.
    expect(refusalSeries(documents)).toEqual([
      {
        namespace: 'Klaxon',
        dimensions: { service: 'Klaxon', route: 'POST /v2/enqueue', integration: 'unknown' },
        count: 1,
      },
    ]);
  });

  it.each([
    [
      'an Events v2 event from a known integration without a summary',
      () =>
        request(
          'POST /v1/alerts/events',
          JSON.stringify({
            routing_key: LOCAL_ROUTING_KEY,
            event_action: 'trigger',
            payload: { source: 'x', severity: 'critical' },
          }),
        ),
      400,
      'local-dev (key: klaxonlocaldevroutingkey00000001)',
    ],
    [
      'an Alertmanager webhook with a known key and a body that is not one',
      () =>
        request('POST /v1/alerts/alertmanager', '{"version":"4"}', { authorization: `Bearer ${LOCAL_ROUTING_KEY}` }),
      400,
      'local-dev (key: klaxonlocaldevroutingkey00000001)',
    ],
    ['an Alertmanager webhook without a key', () => request('POST /v1/alerts/alertmanager', '{}'), 401, 'unknown'],
    [
      'an SNS message from an allowed topic that is not a whole SNS message',
      () =>
        request('POST /v1/alerts/cloudwatch', JSON.stringify({ Type: 'Notification', TopicArn: FIXTURE_TOPIC_ARN })),
      400,
      FIXTURE_TOPIC_ARN,
    ],
    [
      'an Events v2 event of 300 KB from a known integration with an unknown event_action',
      () =>
        request(
          'POST /v1/alerts/events',
          JSON.stringify({
            routing_key: LOCAL_ROUTING_KEY,
            event_action: 'explode',
            payload: { summary: 's', source: 'x', severity: 'critical', custom_details: { log: 'x'.repeat(300_000) } },
          }),
        ),
      400,
      'local-dev (key: klaxonlocaldevroutingkey00000001)',
    ],
    [
      'a heartbeat ping with a known key in ?key= for a monitor nobody defined',
      () => ({
        ...request('GET /v1/heartbeats/{monitor}', ''),
        pathParameters: { monitor: 'nightly-bakup' },
        queryStringParameters: { key: LOCAL_ROUTING_KEY },
      }),
      404,
      'local-dev (key: klaxonlocaldevroutingkey00000001)',
    ],
    [
      'a heartbeat ping with a known bearer key for a monitor nobody defined',
      () => ({
        ...request('POST /v1/heartbeats/{monitor}', '', { authorization: `Bearer ${LOCAL_ROUTING_KEY}` }),
        pathParameters: { monitor: 'nightly-bakup' },
      }),
      404,
      'local-dev (key: klaxonlocaldevroutingkey00000001)',
    ],
    [
      'a body over the size limit',
      () =>
        request('POST /v1/alerts/events', JSON.stringify({ routing_key: LOCAL_ROUTING_KEY, pad: 'x'.repeat(600_000) })),
      413,
      'unknown',
    ],
    [
      'a content type no sender uses',
      () => request('POST /v1/alerts/events', 'routing_key=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unknown',
    ],
  ])('logs and counts %s, with its sender', async (_what, event, status, integration) => {
    const made = event();
    let result: HttpResult | undefined;
    const documents = await emfOf(async () => {
      result = await send(made);
    });
    expect(result?.statusCode).toBe(status);
    const [warning, ...more] = warnings();
    expect(more).toEqual([]);
    expect(warning?.fields).toMatchObject({ route: made.routeKey, status, integration });
    expect(String(warning?.fields.reason)).toBe(JSON.parse(result?.body ?? '{}').message);
    expect(refusalSeries(documents).map(({ dimensions }) => dimensions)).toEqual([
      ...(integration === 'unknown' ? [] : [{ service: 'Klaxon' }]),
      { service: 'Klaxon', route: made.routeKey, integration },
    ]);
  });

  it('logs at most 500 characters of a reason that quotes what the sender sent', async () => {
    const contentType = `text/${'x'.repeat(2000)}`;
    const result = await send(request('POST /v2/enqueue', '{}', { 'content-type': contentType }));
    expect(result.statusCode).toBe(415);
    const reason = String(warnings()[0]?.fields.reason);
    expect(reason).toBe(`${String(JSON.parse(result.body ?? '{}').message).slice(0, 500)}…`);
  });

  it('neither warns nor counts an accepted alert', async () => {
    let result: HttpResult | undefined;
    const documents = await emfOf(async () => {
      result = await send(
        request(
          'POST /v1/alerts/events',
          JSON.stringify({
            routing_key: LOCAL_ROUTING_KEY,
            event_action: 'trigger',
            dedup_key: 'refusals/accepted',
            payload: { summary: 'accepted', source: 'x', severity: 'info' },
          }),
        ),
      );
    });
    expect(result?.statusCode).toBe(202);
    expect(warnings()).toEqual([]);
    expect(refusalSeries(documents)).toEqual([]);
  });

  it('logs a person’s mistake on a management route as info, without a metric or a warning', async () => {
    const made = request('POST /v1/services/{name}/maintenance', '{"until":"yesterday"}');
    made.pathParameters = { name: 'checkout' };
    let result: HttpResult | undefined;
    const documents = await emfOf(async () => {
      result = await send(made);
    });
    expect(result?.statusCode).toBe(400);
    expect(warnings()).toEqual([]);
    expect(refusalSeries(documents)).toEqual([]);
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'Request refused',
        fields: {
          status: 400,
          route: 'POST /v1/services/{name}/maintenance',
          reason: JSON.parse(result?.body ?? '{}').message,
        },
      },
    ]);
  });
});
