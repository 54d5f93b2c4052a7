/**
 * Hostile input on every alert route: each file in test/fixtures/bad and worse gets a 4xx JSON
 * answer whose message names the problem; the process stays up and nothing is created.
 */
import { readdirSync } from 'node:fs';
import type { Incident } from '../../lambdas/core/incident.js';
import { HTTP_ROUTES } from '../../lambdas/handlers/routes.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { fixturePath, fixtureText } from '../support/fixtures.js';
import {
  call,
  eventually,
  FIXTURE_TOPIC_ARN,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  signIn,
  startTestRuntime,
} from '../support/local.js';

const BAD_FIXTURES = readdirSync(fixturePath('bad')).sort();

/** What each route says about each bad fixture (a 4xx, and words from its message). */
const EXPECTED: Record<string, Record<string, [number, string]>> = {
  '/v1/alerts/events': {
    'array.json': [400, 'JSON object'],
    'empty.json': [400, 'empty'],
    'events-v2-bad-action.json': [400, 'event_action'],
    'events-v2-bad-severity.json': [400, 'payload.severity'],
    'events-v2-missing-summary.json': [400, 'payload.summary'],
    'events-v2-unknown-key.json': [403, 'routing_key'],
    'not-json.txt': [400, 'not valid JSON'],
    'truncated.json': [400, 'not valid JSON'],
    'unknown-type.json': [400, 'event_action'],
    'wrong-types.json': [400, 'event_action'],
  },
  '/v1/alerts/cloudwatch': {
    'array.json': [400, 'JSON object'],
    'empty.json': [400, 'empty'],
    'events-v2-bad-action.json': [400, 'Type'],
    'events-v2-bad-severity.json': [400, 'Type'],
    'events-v2-missing-summary.json': [400, 'Type'],
    'events-v2-unknown-key.json': [400, 'Type'],
    'not-json.txt': [400, 'not valid JSON'],
    'truncated.json': [400, 'not valid JSON'],
    'unknown-type.json': [400, "'Type' must be 'Notification'"],
    'wrong-types.json': [400, 'MessageId'],
  },
  '/v1/alerts/alertmanager': {
    'array.json': [400, 'JSON object'],
    'empty.json': [400, 'empty'],
    'events-v2-bad-action.json': [400, 'version'],
    'events-v2-bad-severity.json': [400, 'version'],
    'events-v2-missing-summary.json': [400, 'version'],
    'events-v2-unknown-key.json': [400, 'version'],
    'not-json.txt': [400, 'not valid JSON'],
    'truncated.json': [400, 'not valid JSON'],
    'unknown-type.json': [400, 'version'],
    'wrong-types.json': [400, 'version'],
  },
};
const ROUTES = Object.keys(EXPECTED);
/** PagerDuty's Events API takes 512 KB; the other alert routes 256 KB. */
// Per route: PagerDuty's Events API takes 512 KB, an Alertmanager group notification up to Lambda's 6 MB.
const BODY_LIMIT_KB: Record<string, number> = { '/v1/alerts/events': 512, '/v1/alerts/alertmanager': 5860 };

describe('hostile input on the alert routes', () => {
  let runtime: LocalRuntime;
  let openBefore: number;
  let executionsBefore: number;
  /** The console's routes answer only a signed-in browser: these requests come with a session. */
  let session: Record<string, string> = {};
  beforeAll(async () => {
    runtime = await startTestRuntime();
    session = { cookie: (await signIn(runtime, 'primary-oncall')).cookie };
    openBefore = (await openIncidents()).length;
    executionsBefore = runtime.stepFunctions.list().length;
  });
  afterAll(async () => {
    await runtime.stop();
  });

  async function openIncidents(): Promise<Incident[]> {
    return (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100')).body
      .incidents;
  }

  /** Raw bytes and headers, as an attacker sends them; the alertmanager route gets a valid bearer key. */
  async function send(route: string, body: string | Buffer, contentType = 'application/json') {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (route.endsWith('alertmanager')) headers.authorization = `Bearer ${LOCAL_ROUTING_KEY}`;
    const response = await fetch(`${runtime.url}${route}`, { method: 'POST', headers, body });
    expect(response.headers.get('content-type')).toContain('application/json');
    return { status: response.status, body: (await response.json()) as { message: string; errors?: string[] } };
  }

  it('has an expectation for every bad fixture on every route', () => {
    for (const route of ROUTES) expect(Object.keys(EXPECTED[route] ?? {}).sort()).toEqual(BAD_FIXTURES);
  });

  describe.each(ROUTES)('%s', (route) => {
    it.each(BAD_FIXTURES)('answers bad/%s with a 4xx that names the problem', async (name) => {
      const [status, mentions] = EXPECTED[route]?.[name] ?? [0, ''];
      const reply = await send(route, fixtureText(`bad/${name}`));
      expect(reply.status).toBe(status);
      expect(`${reply.body.message} ${(reply.body.errors ?? []).join(' ')}`).toContain(mentions);
    });

    it.each([
      [
        `a body over its limit (${BODY_LIMIT_KB[route] ?? 256} KB)`,
        () => JSON.stringify({ padding: 'x'.repeat(((BODY_LIMIT_KB[route] ?? 256) + 1) * 1024) }),
        'application/json',
        413,
        'limit',
      ],
      ['a body over the gateway limit', () => 'x'.repeat(11 * 1024 * 1024), 'application/json', 413, 'over'],
      ['a form instead of JSON', () => 'routing_key=x', 'application/x-www-form-urlencoded', 415, 'Content-Type'],
      ['XML', () => '<alarm/>', 'application/xml', 415, 'Content-Type'],
      [
        'nesting 10,000 levels deep',
        () => `${'['.repeat(5000)}${']'.repeat(5000)}`.replace(/^\[/, '{"a":[').replace(/\]$/, ']}'),
        'application/json',
        400,
        'nested deeper',
      ],
      [
        'a __proto__ key',
        () => '{"__proto__":{"polluted":true},"Type":"Notification"}',
        'application/json',
        400,
        'forbidden key "__proto__"',
      ],
      [
        'a constructor.prototype key',
        () => '{"a":{"constructor":{"prototype":{"polluted":true}}}}',
        'application/json',
        400,
        'forbidden key',
      ],
    ])('refuses %s', async (_, body, contentType, status, mentions) => {
      const reply = await send(route, body(), contentType);
      expect(reply.status).toBe(status);
      expect(reply.body.message).toContain(mentions);
    });

    it('refuses invalid UTF-8 with 400', async () => {
      const reply = await send(route, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
      expect(reply.status).toBe(400);
      expect(reply.body.message).toContain('UTF-8');
    });
  });

  it.each(
    HTTP_ROUTES.filter((route) => route.path.includes('{')).map((route) => [route.method, route.path, route] as const),
  )(
    'answers %s %s with broken percent-encoding in the path with a 400 saying so, not a 503 "retry"',
    async (method, path, route) => {
      // A person reads the ack link's and the console's answers in a browser; the rest are JSON.
      const html = route.path.startsWith('/v1/ack/') || route.function === 'web-console';
      const response = await fetch(`${runtime.url}${path.replace(/\{\w+\}/, '%E0')}`, {
        method,
        headers: route.auth === 'session' ? session : {},
      });
      const text = await response.text();
      expect({ status: response.status, html: response.headers.get('content-type')?.includes('text/html') }).toEqual({
        status: 400,
        html,
      });
      expect(text).toContain('percent-encoding');
    },
  );

  /** What a path parameter that no real one could be gets, by parameter: the status and words of its answer. */
  const IMPOSSIBLE_PARAMETER: Record<string, [number, string]> = {
    id: [404, 'name an incident by its number'],
    monitor: [404, 'monitor names are'],
    name: [400, 'service name must be'],
    token: [400, 'link'],
  };

  it('knows what every path parameter of the route table gets when it is impossible', () => {
    const names = HTTP_ROUTES.flatMap((route) => [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));
    expect([...new Set(names)].sort()).toEqual(Object.keys(IMPOSSIBLE_PARAMETER).sort());
  });

  it.each(
    HTTP_ROUTES.filter((route) => route.path.includes('{')).flatMap((route) =>
      [
        ['3,000 characters', 'A'.repeat(3000)],
        ['a space and a slash', 'a%20b%2Fc'],
      ].map(([what, value]) => [route.method, route.path, what, value, route] as const),
    ),
  )(
    'answers %s %s with %s in the path with a 4xx that says why, never a 503',
    async (method, path, _, value, route) => {
      const name = /\{(\w+)\}/.exec(path)?.[1] ?? '';
      const [status, mentions] = IMPOSSIBLE_PARAMETER[name] ?? [0, ''];
      const html = route.path.startsWith('/v1/ack/') || route.function === 'web-console';
      const reads = runtime.dynamodb.operationCounts.get('GetItemCommand') ?? 0;
      const response = await fetch(`${runtime.url}${path.replace(/\{\w+\}/, value ?? '')}`, {
        method,
        headers: {
          ...(method === 'POST' && !html ? { 'content-type': 'application/json' } : {}),
          ...(route.auth === 'session' ? session : {}),
        },
        body: method === 'POST' ? (html ? 'by=primary-oncall' : '{"by":"primary-oncall"}') : undefined,
      });
      const text = await response.text();
      expect({ status: response.status, html: response.headers.get('content-type')?.includes('text/html') }).toEqual({
        status,
        html,
      });
      expect(text).toContain(mentions);
      expect(text.length).toBeLessThan(2000);
      // Refused before the store: not even a read of a key no item can have.
      expect(runtime.dynamodb.operationCounts.get('GetItemCommand') ?? 0).toBe(reads);
    },
  );

  it('stayed up, created nothing and polluted no prototype', async () => {
    expect(await openIncidents()).toHaveLength(openBefore);
    expect(runtime.stepFunctions.list()).toHaveLength(executionsBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(runtime.dynamodb.operationCounts.get('ScanCommand') ?? 0).toBe(0);
  });

  it('keeps HTML and script in an alarm name as plain text: JSON from the API, plain-text pages', async () => {
    const alarm = JSON.parse(fixtureText('cloudwatch/metric-alarm.json')) as Record<string, unknown>;
    const name = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    alarm.AlarmName = name;
    alarm.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
    const published = await call<{ delivery: { status: number; body: { incidentId: string } } }>(
      runtime,
      'POST',
      '/_local/sns/publish',
      { TopicArn: FIXTURE_TOPIC_ARN, Message: JSON.stringify(alarm) },
    );
    expect(published.body.delivery.status).toBe(200);
    const id = published.body.delivery.body.incidentId;
    const response = await fetch(`${runtime.url}/v1/incidents/${id}`);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(((await response.json()) as Incident).title).toBe(name);
    const page = await eventually(
      async () => pagesIn(await outbox(runtime)).find((item) => item.incidentId === id),
      'the page',
    );
    expect(page.email).toContain(`Summary: ${name}`);
    expect(page.subject).not.toMatch(/[\r\n]/);
    expect((await incident(runtime, id)).title).toBe(name);
  });
});
