/**
 * What PagerDuty's Events API accepts, Klaxon accepts: its timestamp forms, a 512 KB body, the
 * links, images and client a trigger attaches, and change events, which never page and show on
 * the service's incidents as recent changes. Driven by PagerDuty's own JavaScript client too.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { change, trigger } from '@pagerduty/pdjs';
import type { ChangePayload, EventPayloadV2 } from '@pagerduty/pdjs/build/src/events.js';
import { generate } from 'selfsigned';
import type { ChangeEvent } from '../../lambdas/core/change-events.js';
import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident, IncidentWithTimeline } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { fixture } from '../support/fixtures.js';
import {
  call,
  consolePage,
  eventually,
  FIXTURE_ROUTING_KEY,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
  testConfig,
} from '../support/local.js';

type ShownIncident = IncidentWithTimeline & { recentChanges: ChangeEvent[] };

/** The fixtures' integration key files its change events under the checkout service. */
function configWithChangeService() {
  const config = testConfig();
  return parseConfig({
    ...config,
    severityPolicy: {},
    integrationKeys: config.integrationKeys.map((key) =>
      key.sha256 === createHash('sha256').update(FIXTURE_ROUTING_KEY).digest('hex')
        ? { ...key, service: 'checkout' }
        : key,
    ),
  });
}

describe("PagerDuty's Events API, as PagerDuty accepts it", () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ config: configWithChangeService() });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const triggerEvent = (dedupKey: string, payload: Record<string, unknown> = {}, extra: object = {}) => ({
    routing_key: FIXTURE_ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary: `Alert ${dedupKey}`, source: 'host1.example.com', severity: 'warning', ...payload },
    ...extra,
  });
  const openedBy = async (dedupKey: string): Promise<ShownIncident> => {
    const listed = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
    const found = listed.body.incidents.find((item) => item.dedupKey === dedupKey);
    if (!found) throw new Error(`no open incident for ${dedupKey}`);
    return (await call<ShownIncident>(runtime, 'GET', `/v1/incidents/${found.id}`)).body;
  };

  it.each([
    ['2015-07-17T08:42:58.315+0000', '2015-07-17T08:42:58.315Z'],
    ['2015-07-17T08:42:58.315+00:00', '2015-07-17T08:42:58.315Z'],
    ['2015-07-17T08:42:58.315Z', '2015-07-17T08:42:58.315Z'],
    ['2015-07-17T08:42:58Z', '2015-07-17T08:42:58.000Z'],
    ['2015-07-17T08:42:58+0000', '2015-07-17T08:42:58.000Z'],
    ['2015-07-17T10:42:58.315123+0200', '2015-07-17T08:42:58.315Z'],
  ])('accepts the timestamp %s and stores it as %s', async (sent, stored) => {
    const dedupKey = `timestamp/${sent}`;
    const reply = await call(runtime, 'POST', '/v2/enqueue', triggerEvent(dedupKey, { timestamp: sent }));
    expect(reply).toEqual({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: dedupKey },
    });
    const shown = await openedBy(dedupKey);
    expect(shown.details.alertTime).toBe(stored);
  });

  it.each(['yesterday', '2015-02-30T08:42:58Z', '1437122578'])(
    'refuses the timestamp %s with a 400 that gives the accepted form',
    async (sent) => {
      const reply = await call<{ status: string; errors: string[] }>(
        runtime,
        'POST',
        '/v2/enqueue',
        triggerEvent(`bad-timestamp/${sent}`, { timestamp: sent }),
      );
      expect(reply.status).toBe(400);
      expect(reply.body.status).toBe('invalid event');
      expect(reply.body.errors.join(' ')).toContain(
        "'payload.timestamp' must be an ISO 8601 date-time such as 2015-07-17T08:42:58.315+0000",
      );
    },
  );

  it.each([
    ['missing', undefined],
    ['blank', '   '],
  ])('says a %s summary is "\'payload.summary\' is missing or blank", as PagerDuty does', async (_, summary) => {
    const event = triggerEvent('no-summary');
    event.payload.summary = summary as unknown as string;
    const reply = await call<{ errors: string[] }>(runtime, 'POST', '/v2/enqueue', event);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual(["'payload.summary' is missing or blank"]);
  });

  it('accepts a 500 KB trigger (PagerDuty takes 512 KB) and keeps a bounded share of its details', async () => {
    const customDetails = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`metric${i}`, 'x'.repeat(2000)]));
    const event = triggerEvent('big/500kb', { custom_details: customDetails });
    const body = JSON.stringify(event);
    expect(body.length).toBeGreaterThan(500 * 1024);
    expect(body.length).toBeLessThan(512 * 1024);
    expect((await call(runtime, 'POST', '/v2/enqueue', body)).status).toBe(202);
    const shown = await openedBy('big/500kb');
    expect(shown.details.metric0).toBe('x'.repeat(2000));
    expect(shown.details['details left out']).toMatch(/^\d+ more \(Klaxon keeps 32 KB of details\)$/);
    // Far below DynamoDB's 400 KB item limit.
    expect(JSON.stringify(shown.details).length).toBeLessThan(40 * 1024);

    const over = await call<{ message: string }>(
      runtime,
      'POST',
      '/v2/enqueue',
      JSON.stringify(triggerEvent('big/over', { custom_details: { padding: 'x'.repeat(513 * 1024) } })),
    );
    expect(over.status).toBe(413);
    expect(over.body.message).toContain('the limit is 524288 bytes');
  });

  it("keeps the trigger's links, images and client on the incident and shows them in the API, the console and the page", async () => {
    const event = triggerEvent(
      'context/dashboards',
      { severity: 'critical' },
      {
        client: 'Sample Monitoring Service',
        client_url: 'https://monitoring.example.com',
        links: [
          { href: 'https://example.com/runbook', text: 'Runbook' },
          { href: 'javascript:alert(1)', text: 'Not a web link' },
        ],
        images: [{ src: 'https://example.com/chart.png', href: 'https://example.com/', alt: 'Error rate chart' }],
      },
    );
    expect((await call(runtime, 'POST', '/v1/alerts/events', event)).status).toBe(202);
    const shown = await openedBy('context/dashboards');
    expect(shown.context).toEqual({
      client: 'Sample Monitoring Service',
      clientUrl: 'https://monitoring.example.com',
      links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
      images: [{ src: 'https://example.com/chart.png', href: 'https://example.com/', alt: 'Error rate chart' }],
    });

    const page = await (await consolePage(runtime, `/incidents/${shown.id}`)).text();
    expect(page).toContain(
      '<a href="https://monitoring.example.com" rel="noopener noreferrer">Sample Monitoring Service</a>',
    );
    expect(page).toContain('<a href="https://example.com/runbook" rel="noopener noreferrer">Runbook</a>');
    expect(page).toContain('<a href="https://example.com/chart.png" rel="noopener noreferrer">Error rate chart</a>');
    expect(page).not.toContain('javascript:');

    const email = await eventually(
      async () => pagesIn(await outbox(runtime)).find((item) => item.incidentId === shown.id)?.email,
      'the page email',
    );
    expect(email).toContain('> Sent by: Sample Monitoring Service https://monitoring.example.com');
    expect(email).toContain('> Link: Runbook https://example.com/runbook');
  });

  it("accepts change events with 202, pages nobody, and shows the service's recent ones on its incidents", async () => {
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();
    const sendChange = (summary: string, at: string, routingKey = FIXTURE_ROUTING_KEY) =>
      call(runtime, 'POST', '/v2/change/enqueue', {
        routing_key: routingKey,
        payload: {
          summary,
          timestamp: at,
          source: 'acme-build-pipeline',
          custom_details: { build_state: 'passed', build_number: 2 },
        },
        links: [{ href: 'https://ci.example.com/build/2', text: 'Build 2' }],
      });
    const incidentsBefore = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?limit=100')).body
      .incidents.length;
    const executionsBefore = runtime.stepFunctions.list().length;

    const deployedAt = hoursAgo(1);
    const deployed = await sendChange('Deployed checkout v42', deployedAt);
    expect(deployed).toEqual({ status: 202, body: { status: 'success', message: 'Change event processed' } });
    // A retry of the same change (a lost answer) is stored once.
    expect((await sendChange('Deployed checkout v42', deployedAt)).status).toBe(202);
    expect((await sendChange('Flag flipped long ago', hoursAgo(7))).status).toBe(202);
    expect((await sendChange('Another service deployed', hoursAgo(1), LOCAL_ROUTING_KEY)).status).toBe(202);
    expect(
      (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?limit=100')).body.incidents,
    ).toHaveLength(incidentsBefore);
    expect(runtime.stepFunctions.list()).toHaveLength(executionsBefore);

    expect(
      (await call(runtime, 'POST', '/v2/enqueue', triggerEvent('checkout/errors', { group: 'checkout' }))).status,
    ).toBe(202);
    const shown = await openedBy('checkout/errors');
    expect(shown.service).toBe('checkout');
    expect(shown.recentChanges).toEqual([
      {
        service: 'checkout',
        at: deployedAt,
        receivedAt: expect.any(String),
        id: expect.any(String),
        summary: 'Deployed checkout v42',
        source: 'acme-build-pipeline',
        integration: 'fixtures',
        details: { build_state: 'passed', build_number: '2' },
        links: [{ href: 'https://ci.example.com/build/2', text: 'Build 2' }],
      },
    ]);

    const page = await (await consolePage(runtime, `/incidents/${shown.id}`)).text();
    expect(page).toContain('<h2 id="changes">Recent changes</h2>');
    expect(page).toContain('Deployed checkout v42');
    expect(page).not.toContain('Flag flipped long ago');
  });

  it('answers a change event 503 when its write fails, and the retry stores it once', async () => {
    const at = new Date(Date.now() - 600_000).toISOString();
    const event = { routing_key: FIXTURE_ROUTING_KEY, payload: { summary: 'Rolled out config 7', timestamp: at } };
    // Its own write, not a page another test's ladder is writing meanwhile.
    runtime.dynamodb.faults.inject({
      operation: 'PutItem',
      kind: 'internal-error',
      attempts: 3,
      mentioning: 'CHANGES#',
    });
    expect((await call(runtime, 'POST', '/v2/change/enqueue', event)).status).toBe(503);
    expect(runtime.dynamodb.faults.pending).toBe(0);
    expect(await runtime.deps.changes.changesBetween('checkout', at, at, 10)).toEqual([]);

    expect((await call(runtime, 'POST', '/v2/change/enqueue', event)).status).toBe(202);
    const stored = await runtime.deps.changes.changesBetween('checkout', at, at, 10);
    expect(stored.map((item) => item.summary)).toEqual(['Rolled out config 7']);
  });

  it.each([
    [
      'no summary',
      { routing_key: FIXTURE_ROUTING_KEY, payload: { source: 'ci' } },
      400,
      "'payload.summary' is missing or blank",
    ],
    ['no payload', { routing_key: FIXTURE_ROUTING_KEY }, 400, "'payload' is missing"],
    [
      'a bad timestamp',
      { routing_key: FIXTURE_ROUTING_KEY, payload: { summary: 's', timestamp: 'soon' } },
      400,
      "'payload.timestamp' must be an ISO 8601 date-time",
    ],
    [
      'a 1025-character summary',
      { routing_key: FIXTURE_ROUTING_KEY, payload: { summary: 's'.repeat(1025) } },
      400,
      '1024',
    ],
    ['an unknown routing key', { routing_key: 'NOPE', payload: { summary: 's' } }, 403, 'routing_key'],
  ])('refuses a change event with %s', async (_, body, status, mentions) => {
    const reply = await call<{ status: string; message: string; errors: string[] }>(
      runtime,
      'POST',
      '/v2/change/enqueue',
      body,
    );
    expect(reply.status).toBe(status);
    expect(reply.body.status).toBe('invalid event');
    expect(reply.body.errors.join(' ')).toContain(mentions);
  });

  describe("through PagerDuty's own client (@pagerduty/pdjs)", () => {
    /** pdjs always speaks https to `server`: a TLS front for the runtime, trusted by this agent only. */
    let front: { server: string; agent: Agent; close: () => void };
    beforeAll(async () => {
      const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
        keySize: 2048,
        algorithm: 'sha256',
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
      });
      const target = new URL(runtime.url);
      const server = createServer({ key: pems.private, cert: pems.cert }, (incoming, answer) => {
        const forwarded = httpRequest(
          {
            host: '127.0.0.1',
            port: target.port,
            path: incoming.url,
            method: incoming.method,
            headers: { ...incoming.headers, host: target.host },
          },
          (reply) => {
            answer.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(answer);
          },
        );
        incoming.pipe(forwarded);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const agent = new Agent({ ca: pems.cert });
      front = {
        server: `localhost:${(server.address() as AddressInfo).port}`,
        agent,
        close: () => {
          agent.destroy();
          server.close();
        },
      };
    });
    afterAll(() => front.close());

    it('sends a trigger with a PagerDuty timestamp, links, images and client, and a change event, as PagerDuty takes them', async () => {
      const at = new Date(Date.now() - 3600_000);
      const pagerDutyTime = at.toISOString().replace('Z', '+0000');
      // pdjs passes options it does not know (the agent) on to its fetch.
      const transport = { server: front.server, agent: front.agent } as { server: string };

      const changePayload: ChangePayload = {
        routing_key: FIXTURE_ROUTING_KEY,
        payload: {
          summary: 'pdjs: deployed checkout v43',
          source: 'pdjs',
          timestamp: pagerDutyTime,
          custom_details: {},
        },
        links: [{ href: 'https://ci.example.com/build/43', text: 'Build 43' }],
      };
      // pdjs declares change() with the alert event's type; the change payload is its own ChangePayload.
      const changed = await change({ ...transport, data: changePayload as unknown as EventPayloadV2 });
      expect({ status: changed.status, data: changed.data }).toEqual({
        status: 202,
        data: { status: 'success', message: 'Change event processed' },
      });

      const triggered = await trigger({
        ...transport,
        data: {
          ...fixture<{ routing_key: string }>('events-v2/trigger.json'),
          routing_key: FIXTURE_ROUTING_KEY,
          event_action: 'trigger',
          dedup_key: 'pdjs/checkout',
          payload: {
            summary: 'pdjs: checkout error rate above 5%',
            timestamp: pagerDutyTime,
            source: 'checkout-1.example.com',
            severity: 'error',
            group: 'checkout',
          },
          images: [{ src: 'https://example.com/pdjs.png', alt: 'pdjs chart' }],
          links: [{ href: 'https://example.com/pdjs', text: 'pdjs link' }],
          // pdjs's type has no client fields, though PagerDuty takes them; sent all the same.
          ...{ client: 'pdjs monitor', client_url: 'https://pdjs.example.com' },
        },
      });
      expect({ status: triggered.status, data: triggered.data }).toEqual({
        status: 202,
        data: { status: 'success', message: 'Event processed', dedup_key: 'pdjs/checkout' },
      });

      const shown = await openedBy('pdjs/checkout');
      expect(shown).toMatchObject({
        severity: 'SEV2',
        service: 'checkout',
        details: { alertTime: at.toISOString() },
        context: {
          client: 'pdjs monitor',
          clientUrl: 'https://pdjs.example.com',
          links: [{ href: 'https://example.com/pdjs', text: 'pdjs link' }],
          images: [{ src: 'https://example.com/pdjs.png', alt: 'pdjs chart' }],
        },
      });
      expect(shown.recentChanges.map((item) => item.summary)).toContain('pdjs: deployed checkout v43');
    });
  });
});
