/**
 * Another site's page in the responder's browser cannot act through the local runtime, and a
 * name the attacker owns pointed at 127.0.0.1 (DNS rebinding) cannot read it: cross-site form
 * posts are refused, JSON routes take only JSON content types, console forms need the token of
 * the page they came from, and the runtime answers only loopback Host and Origin headers.
 * (The browser's side of the console forms is in console.test.ts.)
 */
import { request as httpRequest } from 'node:http';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, LOCAL_ROUTING_KEY, openIncident, startTestRuntime } from '../support/local.js';

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
  beforeAll(async () => {
    runtime = await startTestRuntime();
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
    // Without an Origin (an older browser), the form still lacks the token of an incident page.
    const tokenless = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM },
      'by=primary-oncall',
    );
    expect(tokenless.status).toBe(403);
    expect(tokenless.text).toContain('this form did not come from this incident page');
    await expect(incident(runtime, id)).resolves.toMatchObject({ status: 'open' });
  });

  it('acts on a console form that carries the token its incident page set as a cookie', async () => {
    const { id } = await openIncident(runtime, 'Same-site form target', 'critical');
    const shown = await raw(runtime, 'GET', `/incidents/${id}`, {});
    const cookie = shown.setCookie?.[0]?.split(';')[0] ?? '';
    const token = /name="formToken" value="([\w-]+)"/.exec(shown.text)?.[1];
    expect(cookie).toBe(`klaxon-form=${token}`);
    const forged = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM, cookie },
      `by=primary-oncall&formToken=${'A'.repeat(43)}`,
    );
    expect(forged.status).toBe(403);
    const posted = await raw(
      runtime,
      'POST',
      `/incidents/${id}/acknowledge`,
      { 'content-type': FORM, cookie, origin: `http://localhost:${runtime.port}` },
      `by=primary-oncall&formToken=${token}`,
    );
    expect(posted.status).toBe(303);
    await expect(incident(runtime, id)).resolves.toMatchObject({ status: 'acknowledged' });
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
    const rebound = await raw(runtime, method, path, { host: `rebind.evil.example:${runtime.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).message).toContain(`answers only requests addressed to localhost:${runtime.port}`);
    expect((await raw(runtime, method, path, { host: `localhost:${runtime.port + 1}` })).status).toBe(403);
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) {
      expect((await raw(runtime, method, path, { host: `${host}:${runtime.port}` })).status).toBe(200);
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
