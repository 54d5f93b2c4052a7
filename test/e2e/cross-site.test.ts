/**
 * Another site's page in the responder's browser cannot act through the local runtime, and a
 * name the attacker owns pointed at 127.0.0.1 (DNS rebinding) cannot read it: cross-site form
 * posts are refused, JSON routes take only JSON content types, console forms need their
 * session's form token, and the runtime answers only loopback Host and Origin headers. The
 * console itself answers only a signed-in browser, until its session expires.
 * (The browser's side of the console forms is in console.test.ts.)
 */
import { request as httpRequest } from 'node:http';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, LOCAL_ROUTING_KEY, openIncident, signIn, startTestRuntime } from '../support/local.js';

/** A request with exactly these headers (fetch cannot set Host), answered as status and text. */
function raw(
  runtime: LocalRuntime,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; text: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: runtime.port,
        method,
        path,
        headers: { host: `localhost:${runtime.port}`, ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text, setCookie: response.headers['set-cookie'] }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

describe('requests from other sites', () => {
  let runtime: LocalRuntime;
  let session: { cookie: string; formToken: string };
  beforeAll(async () => {
    runtime = await startTestRuntime();
    session = await signIn(runtime, 'primary-oncall');
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it("refuses another site's form post to the console, with or without the browser's Origin", async () => {
    const { id } = await openIncident(runtime, 'Cross-site form target', 'critical');
    const fromElsewhere = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM, origin: 'https://evil.example' },
      'by=primary-oncall',
    );
    expect(fromElsewhere.status).toBe(403);
    expect(fromElsewhere.text).toContain('a page from https://evil.example sent this request');
    // "null" is what a sandboxed frame or a page that hides its origin sends.
    const hidden = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM, origin: 'null' },
      'by=primary-oncall',
    );
    expect(hidden.status).toBe(403);
    // Without an Origin (an older browser) the session cookie goes along, but the form lacks its token.
    for (const form of ['by=primary-oncall', `formToken=${'A'.repeat(43)}`]) {
      const tokenless = await raw(
        runtime,
        'POST',
        `/incidents/${id}/acknowledge`,
        { 'content-type': FORM, cookie: session.cookie },
        form,
      );
      expect(tokenless.status).toBe(403);
      expect(tokenless.text).toContain('Not done: this form did not come from a Klaxon console page of your session');
    }
    await expect(incident(runtime, id)).resolves.toMatchObject({ status: 'open' });
  });

  it.each([
    ['acknowledge', ''],
    ['resolve', 'note=fixed'],
    ['notes', 'message=looking'],
    ['escalate', ''],
    ['take', ''],
  ])('refuses every console POST (%s) without its form token, before it acts', async (verb, fields) => {
    const { id } = await openIncident(runtime, `Tokenless ${verb}`, 'critical');
    const posted = await raw(
      runtime,
      'POST',
      `/incidents/${id}/${verb}`,
      { 'content-type': FORM, cookie: session.cookie, origin: `http://localhost:${runtime.port}` },
      fields,
    );
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('its form token is missing or out of date');
    const after = await incident(runtime, id);
    expect(after).toMatchObject({ status: 'open', run: { number: 1 } });
    expect(after.assignee).toBeUndefined();
    expect(after.timeline.filter((entry) => entry.by === 'primary-oncall')).toEqual([]);
  });

  it("acts on a console form that carries its session's form token, as the signed-in responder", async () => {
    const { id } = await openIncident(runtime, 'Same-site form target', 'critical');
    const other = await signIn(runtime, 'secondary-oncall');
    expect(other.formToken).not.toBe(session.formToken);
    // Another session's token is no token for this one.
    const crossed = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM, cookie: session.cookie },
      `formToken=${other.formToken}`,
    );
    expect(crossed.status).toBe(403);
    const posted = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM, cookie: session.cookie, origin: `http://localhost:${runtime.port}` },
      `formToken=${session.formToken}`,
    );
    expect(posted.status).toBe(303);
    await expect(incident(runtime, id)).resolves.toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'primary-oncall',
    });
    // A `by` naming someone else is no way to act as them: it is recorded as on their behalf.
    const onBehalf = await raw(
      runtime,
      'POST',
      `/incidents/${id}/resolve`,
      { 'content-type': FORM, cookie: session.cookie },
      `formToken=${session.formToken}&by=executive`,
    );
    expect(onBehalf.status).toBe(303);
    await expect(incident(runtime, id)).resolves.toMatchObject({ resolvedBy: 'primary-oncall on behalf of executive' });
  });

  it('answers no console page without a session, nor with a forged one', async () => {
    for (const cookie of [undefined, 'klaxon-session=eyJyZXNwb25kZXIiOiJleGVjdXRpdmUifQ.forged']) {
      const page = await raw(runtime, 'GET', '/', cookie ? { cookie } : {});
      expect(page.status).toBe(401);
      expect(page.text).toContain('Sign in');
    }
    expect((await raw(runtime, 'GET', '/', { cookie: session.cookie })).status).toBe(200);
  });

  it('refuses a JSON API post without a JSON content type (415), so a form or a typeless body cannot act', async () => {
    const { id } = await openIncident(runtime, 'Typeless post target', 'critical');
    const typeless = await raw(runtime, 'POST', `/v1/incidents/${id}/resolve`, {}, '{"by":"primary-oncall"}');
    expect(typeless.status).toBe(415);
    expect(JSON.parse(typeless.text)).toEqual({
      message: 'Content-Type is missing; send the body as application/json (header "content-type: application/json")',
    });
    // A form with no fields posts an empty body typed as a form.
    const emptyForm = await raw(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { 'content-type': FORM });
    expect(emptyForm.status).toBe(415);
    const alert = await raw(
      runtime,
      'POST',
      '/v1/alerts/events',
      {},
      JSON.stringify({
        routing_key: LOCAL_ROUTING_KEY,
        event_action: 'trigger',
        payload: { summary: 'Typeless alert', source: 'cross-site-test', severity: 'critical' },
      }),
    );
    expect(alert.status).toBe(415);
    await expect(incident(runtime, id)).resolves.toMatchObject({ status: 'open' });
    // A tool that posts no body at all still acknowledges (curl -X POST).
    expect((await raw(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, {})).status).toBe(200);
  });

  it.each([
    ['the outbox', 'GET', '/_local/outbox'],
    ['the API', 'GET', '/v1/incidents?status=open'],
    ['the console', 'GET', '/'],
  ])('refuses a foreign Host for %s (DNS rebinding) and serves the loopback names', async (_, method, path) => {
    const rebound = await raw(runtime, method, path, {
      host: `rebind.evil.example:${runtime.port}`,
      cookie: session.cookie,
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).message).toContain(`answers only requests addressed to localhost:${runtime.port}`);
    expect((await raw(runtime, method, path, { host: `localhost:${runtime.port + 1}` })).status).toBe(403);
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) {
      expect(
        (await raw(runtime, method, path, { host: `${host}:${runtime.port}`, cookie: session.cookie })).status,
      ).toBe(200);
    }
  });

  it('refuses an API call sent by a page of another origin', async () => {
    const reply = await call(
      runtime,
      'POST',
      '/v1/alerts/events',
      {
        routing_key: LOCAL_ROUTING_KEY,
        event_action: 'trigger',
        payload: { summary: 'From another origin', source: 'cross-site-test', severity: 'critical' },
      },
      { origin: `http://localhost:${runtime.port + 1}` },
    );
    expect(reply.status).toBe(403);
    const listed = await call<{ incidents: { title: string }[] }>(runtime, 'GET', '/v1/incidents?status=open');
    expect(listed.body.incidents.map((item) => item.title)).not.toContain('From another origin');
  });
});
