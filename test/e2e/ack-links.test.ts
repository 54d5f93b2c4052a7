/**
 * Signed acknowledge links end to end: the link in a real page, GET that never acknowledges (mail
 * scanners prefetch links), POST that does, and forged, expired and reused links refused.
 */
import { checkAckLink, type UsableAckLink, useAckLink } from '../../lambdas/core/ack-links.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { HttpEvent } from '../../lambdas/handlers/http.js';
import { incidentsApi } from '../../lambdas/handlers/incidents-api.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { alarmStateChange } from '../support/fixtures.js';
import {
  call,
  eventually,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  signIn,
  startTestRuntime,
} from '../support/local.js';

async function openWithPage(runtime: LocalRuntime, summary: string): Promise<{ id: string; link: string }> {
  const reply = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', {
    routing_key: LOCAL_ROUTING_KEY,
    event_action: 'trigger',
    payload: { summary, source: 'ack-link-test', severity: 'critical' },
  });
  expect(reply.status).toBe(202);
  const page = await eventually(
    async () => pagesIn(await outbox(runtime)).find((sent) => sent.subject.includes(summary)),
    `the page for "${summary}"`,
  );
  const link = page.sms?.match(/Ack: (\S+)$/)?.[1] ?? '';
  expect(link).toMatch(new RegExp(`^${runtime.url}/v1/ack/[A-Za-z0-9_-]{43}$`));
  expect(page.email).toContain(link);
  return { id: page.incidentId, link };
}

const fetchPage = async (url: string, method: 'GET' | 'POST') => {
  const response = await fetch(url, { method });
  return { status: response.status, html: await response.text(), type: response.headers.get('content-type') };
};

describe('signed acknowledge links', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ timeScale: 1 });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('GET only asks to confirm, however often it is fetched; POST acknowledges as the linked responder, once', async () => {
    const { id, link } = await openWithPage(runtime, 'Orders API returns 500');

    for (let i = 0; i < 3; i++) {
      const confirm = await fetchPage(link, 'GET');
      expect(confirm.status).toBe(200);
      expect(confirm.type).toContain('text/html');
      expect(confirm.html).toContain('<form method="post">');
      expect(confirm.html).toContain('Orders API returns 500');
    }
    expect((await incident(runtime, id)).status).toBe('open');

    const acknowledged = await fetchPage(link, 'POST');
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.html).toContain('Acknowledged');
    expect(await incident(runtime, id)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'primary-oncall' });

    for (const method of ['GET', 'POST'] as const) {
      const reused = await fetchPage(link, method);
      expect(reused.status).toBe(410);
      expect(reused.html).toContain('already used');
    }
  });

  it('refuses a forged link with a page that says so, and acknowledges nothing', async () => {
    const { id, link } = await openWithPage(runtime, 'Search index stale');
    const token = link.split('/').pop() ?? '';
    const forged = `${runtime.url}/v1/ack/${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    for (const method of ['GET', 'POST'] as const) {
      const refused = await fetchPage(forged, method);
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('not signed by Klaxon');
    }
    expect((await incident(runtime, id)).status).toBe('open');
  });

  it('refuses an expired link with a page that says so, and acknowledges nothing', async () => {
    const { id, link } = await openWithPage(runtime, 'Queue depth rising');
    const token = link.split('/').pop() ?? '';
    // The API function as Lambda runs it, a day and a minute later.
    const later = { now: () => new Date(Date.now() + 24 * 60 * 60 * 1000 + 60_000) };
    const api = incidentsApi({ ...runtime.deps, clock: later });
    const event = {
      routeKey: 'POST /v1/ack/{token}',
      pathParameters: { token },
      requestContext: {},
      headers: {},
    } as unknown as HttpEvent;
    const refused = await api(event);
    expect(refused.statusCode).toBe(410);
    expect(refused.body).toContain('expired');
    expect((await incident(runtime, id)).status).toBe('open');
  });

  it('tells the responder when the incident was resolved before they clicked', async () => {
    const { id, link } = await openWithPage(runtime, 'Cache cluster down');
    const resolved = await call<Incident>(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'secondary-oncall' });
    expect(resolved.status).toBe(200);
    const answer = await fetchPage(link, 'POST');
    expect(answer.status).toBe(409);
    expect((await incident(runtime, id)).status).toBe('resolved');
  });

  it('counts a link used twice at once as one use, and the link then says it was used', async () => {
    const { id, link } = await openWithPage(runtime, 'Billing export stuck');
    const token = link.split('/').pop() ?? '';
    const { deps } = runtime;
    // Without a key every link reads as forged, and the first assertion says so.
    const ackKey = deps.ackKey ?? { key: async () => Buffer.alloc(0) };
    const checked = await checkAckLink(deps, ackKey, token);
    expect(checked).toMatchObject({ usable: true, incidentId: id, responderId: 'primary-oncall' });

    const uses = await Promise.all([1, 2].map(() => useAckLink(deps, checked as UsableAckLink)));
    expect(uses.filter((use) => use.used)).toHaveLength(1);
    expect(uses.filter((use) => !use.used)).toEqual([
      { used: false, reason: 'used', message: expect.stringContaining('Each acknowledge link works once') },
    ]);
    expect(await checkAckLink(deps, ackKey, token)).toMatchObject({ usable: false, reason: 'used' });
    const timeline = (await incident(runtime, id)).timeline.map((entry) => entry.type);
    expect(timeline.filter((type) => type === 'acknowledged')).toHaveLength(1);
    expect(timeline.filter((type) => type === 'ack-link-used')).toHaveLength(1);
  });

  it("answers every ack page with the console's headers: no script, no framing by another site, no cache, no referrer", async () => {
    const { id, link } = await openWithPage(runtime, 'Payments webhook failing');
    const token = link.split('/').pop() ?? '';
    const forged = `${runtime.url}/v1/ack/${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const headersOf = async (url: string, method: 'GET' | 'POST' = 'GET', headers: Record<string, string> = {}) => {
      const response = await fetch(url, { method, redirect: 'manual', headers });
      const names = [
        'content-type',
        'cache-control',
        'content-security-policy',
        'x-content-type-options',
        'x-frame-options',
        'referrer-policy',
      ];
      return {
        status: response.status,
        headers: Object.fromEntries(names.map((name) => [name, response.headers.get(name)])),
      };
    };

    const { cookie } = await signIn(runtime, 'primary-oncall');
    const consolePage = await headersOf(`${runtime.url}/incidents/${id}`, 'GET', { cookie });
    expect(consolePage.status).toBe(200);
    expect(consolePage.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
    });
    expect(consolePage.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(consolePage.headers['content-security-policy']).toContain("default-src 'none'");

    const answers = [
      await headersOf(forged),
      await headersOf(link),
      await headersOf(link, 'POST'),
      await headersOf(link),
      await headersOf(`${runtime.url}/`, 'GET', { cookie }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 200, 200, 410, 200]);
    for (const answer of answers) expect(answer.headers).toEqual(consolePage.headers);
  });

  // A reopened run's token differs from the first run's even within one minute: test/unit/ack-tokens.test.ts
  // pins that with a fixed clock. Here: the reopened incident's page carries a link that acknowledges it.
  it('the page of a reopened incident carries a fresh link that acknowledges it', async () => {
    let delivery = 0;
    const alarm = async (state: 'ALARM' | 'OK') => {
      const event = alarmStateChange({
        name: 'ack-link-flap',
        state,
        id: `ack-link-flap-${++delivery}`,
        description: 'severity=SEV1 ack link flapping',
      });
      const reply = await call<{ results: { result: { outcome: string; incidentId: string } }[] }>(
        runtime,
        'POST',
        '/_local/events',
        event,
      );
      return reply.body.results[0]?.result ?? { outcome: '', incidentId: '' };
    };
    const linkIn = async (id: string, nth: number) => {
      const pages = await eventually(async () => {
        const found = pagesIn(await outbox(runtime)).filter(
          (page) => page.incidentId === id && page.responder === 'primary-oncall',
        );
        return found.length >= nth ? found : undefined;
      }, `page ${nth} to the primary`);
      return pages[nth - 1]?.sms?.match(/Ack: (\S+)$/)?.[1] ?? '';
    };

    const { incidentId: id } = await alarm('ALARM');
    const firstLink = await linkIn(id, 1);
    expect((await fetchPage(firstLink, 'POST')).status).toBe(200);
    expect((await alarm('OK')).outcome).toBe('resolved');
    expect((await alarm('ALARM')).outcome).toBe('reopened');

    const secondLink = await linkIn(id, 2);
    expect(secondLink).not.toBe(firstLink);
    const used = await fetchPage(secondLink, 'POST');
    expect({ status: used.status, title: used.html.match(/<h1>.*<\/h1>/)?.[0] }).toEqual({
      status: 200,
      title: '<h1>Acknowledged</h1>',
    });
    expect(await incident(runtime, id)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'primary-oncall' });
    // The first link stays used.
    expect((await fetchPage(firstLink, 'POST')).status).toBe(410);
  });
});
