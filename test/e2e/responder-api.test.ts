/**
 * The responders' API beyond acknowledge and resolve: filters, notes, severity, reassign,
 * post-mortem draft and done, who is on call, and the OpenAPI document, against the local runtime.
 */

import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident, IncidentWithTimeline } from '../../lambdas/core/incident.js';
import type { HttpEvent } from '../../lambdas/handlers/http.js';
import { makeIncidentsApiHandler } from '../../lambdas/handlers/incidents-api.js';
import { OPERATIONS } from '../../lambdas/handlers/openapi.js';
import { HTTP_ROUTES, routeKey } from '../../lambdas/handlers/routes.js';
import { lambdaContext } from '../../local/gateway.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, LOCAL_ROUTING_KEY, startTestRuntime, testConfig } from '../support/local.js';

async function openIncident(runtime: LocalRuntime, key: string, severity: string, group: string): Promise<Incident> {
  const reply = await call(runtime, 'POST', '/v1/alerts/events', {
    routing_key: LOCAL_ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: key,
    payload: { summary: `Problem ${key}`, source: 'responder-test', severity, group },
  });
  expect(reply.status).toBe(202);
  const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
  const found = open.body.incidents.find((item) => item.dedupKey === key);
  if (!found) throw new Error(`incident ${key} was not opened`);
  return found;
}

describe('responder API', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('filters a listing by severity, service and time opened, with the cursor still working', async () => {
    const a = await openIncident(runtime, 'filter-a', 'info', 'payments');
    const b = await openIncident(runtime, 'filter-b', 'warning', 'payments');
    const c = await openIncident(runtime, 'filter-c', 'info', 'search');
    const list = async (query: string) =>
      (await call<{ incidents: Incident[] }>(runtime, 'GET', `/v1/incidents?status=open&${query}`)).body.incidents.map(
        (item) => item.id,
      );
    expect(await list('severity=SEV4&service=payments')).toEqual([a.id]);
    expect(await list('service=payments')).toEqual([b.id, a.id]);
    expect(await list(`from=${encodeURIComponent(b.openedAt)}&to=${encodeURIComponent(c.openedAt)}`)).toEqual([b.id]);
    // One item read per page: a filtered page may come back empty, with a cursor to go on from.
    const paged: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { incidents: Incident[]; next: string | null } } = await call(
        runtime,
        'GET',
        `/v1/incidents?status=open&service=payments&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      paged.push(...page.body.incidents.map((item) => item.id));
      cursor = page.body.next;
    }
    expect(paged).toEqual([b.id, a.id]);
    const bad = await call<{ message: string }>(runtime, 'GET', '/v1/incidents?severity=SEV9');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('severity');
  });

  it('posts a status update once, even when the client retries it', async () => {
    const incident = await openIncident(runtime, 'note', 'info', 'notes');
    const note = { by: 'primary-oncall', message: 'Rolled back the deploy; watching error rate', noteId: 'n1' };
    const first = await call<IncidentWithTimeline>(runtime, 'POST', `/v1/incidents/${incident.id}/notes`, note);
    const retry = await call<IncidentWithTimeline>(runtime, 'POST', `/v1/incidents/${incident.id}/notes`, note);
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body.timeline.filter((entry) => entry.type === 'note')).toEqual([
      expect.objectContaining({ by: 'primary-oncall', message: note.message }),
    ]);
    expect((await call(runtime, 'POST', `/v1/incidents/${incident.id}/notes`, { message: '' })).status).toBe(400);
    expect((await call(runtime, 'POST', '/v1/incidents/NOPE/notes', { message: 'x' })).status).toBe(404);
  });

  it('changes severity and reassigns an open incident, and refuses both once it is resolved', async () => {
    const incident = await openIncident(runtime, 'severity', 'warning', 'sev');
    const raised = await call<Incident>(runtime, 'POST', `/v1/incidents/${incident.id}/severity`, {
      severity: 'SEV2',
      by: 'primary-oncall',
      reason: 'customers affected',
    });
    expect(raised.body).toMatchObject({ severity: 'SEV2' });
    const handed = await call<Incident>(runtime, 'POST', `/v1/incidents/${incident.id}/reassign`, {
      to: 'secondary-oncall',
      by: 'primary-oncall',
    });
    expect(handed.body).toMatchObject({ assignee: 'secondary-oncall' });
    const unknown = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${incident.id}/reassign`, {
      to: 'nobody',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('No responder "nobody"');

    const shown = await call<IncidentWithTimeline>(runtime, 'GET', `/v1/incidents/${incident.id}`);
    expect(shown.body.timeline.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        'Severity changed from SEV3 to SEV2 by primary-oncall: customers affected',
        'Reassigned to Sam Secondary by primary-oncall',
      ]),
    );

    await call(runtime, 'POST', `/v1/incidents/${incident.id}/resolve`, { by: 'secondary-oncall' });
    const late = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${incident.id}/severity`, {
      severity: 'SEV1',
    });
    expect(late.status).toBe(409);
    expect(late.body.message).toContain('is resolved; its severity can no longer change');
    expect((await call(runtime, 'POST', `/v1/incidents/${incident.id}/reassign`, { to: 'eng-manager' })).status).toBe(
      409,
    );
  });

  it('drafts the post-mortem from the timeline, and records it done only once the incident is resolved', async () => {
    const incident = await openIncident(runtime, 'postmortem', 'critical', 'checkout');
    const early = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${incident.id}/postmortem`, {});
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('resolve it before closing its post-mortem');

    await call(runtime, 'POST', `/v1/incidents/${incident.id}/acknowledge`, { by: 'primary-oncall' });
    await call(runtime, 'POST', `/v1/incidents/${incident.id}/notes`, { by: 'primary-oncall', message: 'Found it' });
    await call(runtime, 'POST', `/v1/incidents/${incident.id}/resolve`, { by: 'primary-oncall', note: 'rolled back' });

    const draft = await call<string>(runtime, 'GET', `/v1/incidents/${incident.id}/postmortem`);
    expect(draft.status).toBe(200);
    expect(draft.body).toContain('# Incident Post-Mortem: Problem postmortem');
    expect(draft.body).toContain('- **Severity**: SEV-1');
    expect(draft.body).toContain('(48h after resolution)');
    const rows = draft.body.split('\n').filter((line) => /^\| \d{4}-/.test(line));
    expect(rows.map((row) => row.split('|')[2]?.trim().split(' ')[0])).toEqual(
      expect.arrayContaining(['Detected.', 'Acknowledged', 'Status', 'Resolved']),
    );
    for (const section of ['## Root Cause', '## What Went Well', '## What Went Wrong', '## Action Items']) {
      expect(draft.body).toContain(section);
    }

    const done = await call<Incident>(runtime, 'POST', `/v1/incidents/${incident.id}/postmortem`, {
      by: 'primary-oncall',
      url: 'https://wiki.example.com/pm/1',
    });
    expect(done.body).toMatchObject({
      postmortemDoneBy: 'primary-oncall',
      postmortemUrl: 'https://wiki.example.com/pm/1',
    });
    expect((await call(runtime, 'GET', '/v1/incidents/NOPE/postmortem')).status).toBe(404);
  });

  it('says who is on call for each role', async () => {
    const reply = await call<{ roles: { role: string; responder: { id: string } }[] }>(runtime, 'GET', '/v1/oncall');
    expect(reply.body.roles.map((entry) => [entry.role, entry.responder.id])).toEqual([
      ['primary', 'primary-oncall'],
      ['secondary', 'secondary-oncall'],
      ['engineering-manager', 'eng-manager'],
      ['executive', 'executive'],
    ]);
  });

  it('takes an incident in one step: assigned to the responder and acknowledged; a resolved one cannot be taken', async () => {
    const open = await openIncident(runtime, 'take-open', 'critical', 'orders');
    const taken = await call<Incident>(runtime, 'POST', `/v1/incidents/${open.id}/take`, { by: 'eng-manager' });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'eng-manager',
      assignee: 'eng-manager',
    });
    const again = await call<Incident>(runtime, 'POST', `/v1/incidents/${open.id}/take`, { by: 'eng-manager' });
    expect(again.status).toBe(200);
    const shown = await call<IncidentWithTimeline>(runtime, 'GET', `/v1/incidents/${open.id}`);
    expect(shown.body.timeline.filter((entry) => entry.type === 'taken').map((entry) => entry.message)).toEqual([
      'Taken by Morgan Manager (eng-manager): assigned to them and acknowledged',
    ]);
    const nobody = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${open.id}/take`, { by: 'nobody' });
    expect(nobody.status).toBe(400);
    expect(nobody.body.message).toContain('Only a responder can take an incident');
    await call(runtime, 'POST', `/v1/incidents/${open.id}/resolve`, { by: 'eng-manager' });
    const late = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${open.id}/take`, { by: 'executive' });
    expect(late.status).toBe(409);
    expect(late.body.message).toContain('already resolved');
  });

  describe('on AWS, who acts is the IAM principal API Gateway authenticated', () => {
    const PRIYA = 'arn:aws:sts::123456789012:assumed-role/Oncall/priya';
    const BOT = 'arn:aws:iam::123456789012:user/chatops-bot';
    /** The API function as API Gateway invokes it on AWS: the caller's ARN in the request context. */
    const asPrincipal = async (userArn: string, method: string, path: string, body: unknown) => {
      const deps = {
        ...runtime.deps,
        config: parseConfig({
          ...testConfig(),
          responders: testConfig().responders.map((responder) =>
            responder.id === 'primary-oncall' ? { ...responder, iamPrincipals: [PRIYA] } : responder,
          ),
        }),
      };
      const template = HTTP_ROUTES.find(
        (route) => route.method === method && new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
      );
      const id = path.split('/')[3] ?? '';
      const result = await makeIncidentsApiHandler(deps)(
        {
          routeKey: `${method} ${template?.path}`,
          rawPath: path,
          headers: { 'content-type': 'application/json' },
          pathParameters: { id },
          body: JSON.stringify(body),
          isBase64Encoded: false,
          requestContext: { authorizer: { iam: { userArn } } },
        } as unknown as HttpEvent,
        lambdaContext('klaxon-incidents-api'),
      );
      return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Incident & { message: string } };
    };

    it('records a mapped principal as its responder, a `by` naming someone else only as on their behalf', async () => {
      const first = await openIncident(runtime, 'iam-ack', 'critical', 'orders');
      const acked = await asPrincipal(PRIYA, 'POST', `/v1/incidents/${first.id}/acknowledge`, { by: 'executive' });
      expect(acked).toMatchObject({ status: 200, body: { acknowledgedBy: 'primary-oncall on behalf of executive' } });
      const resolved = await asPrincipal(BOT, 'POST', `/v1/incidents/${first.id}/resolve`, {});
      expect(resolved).toMatchObject({ status: 200, body: { resolvedBy: 'user/chatops-bot' } });
    });

    it('lets a mapped principal take an incident for itself only, and no unmapped one at all', async () => {
      const { id } = await openIncident(runtime, 'iam-take', 'critical', 'orders');
      const forOther = await asPrincipal(PRIYA, 'POST', `/v1/incidents/${id}/take`, { by: 'executive' });
      expect(forOther.status).toBe(403);
      expect(forOther.body.message).toContain('only for yourself');
      const bot = await asPrincipal(BOT, 'POST', `/v1/incidents/${id}/take`, {});
      expect(bot.status).toBe(403);
      expect(bot.body.message).toContain('user/chatops-bot) is not a responder');
      const taken = await asPrincipal(PRIYA, 'POST', `/v1/incidents/${id}/take`, {});
      expect(taken).toMatchObject({
        status: 200,
        body: { assignee: 'primary-oncall', acknowledgedBy: 'primary-oncall' },
      });
    });
  });

  it('serves an OpenAPI 3.1 document with exactly one operation per route', async () => {
    const reply = await call<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
      runtime,
      'GET',
      '/v1/openapi.json',
    );
    expect(reply.body.openapi).toBe('3.1.0');
    const documented = Object.entries(reply.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(HTTP_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    expect(Object.keys(OPERATIONS).sort()).toEqual(HTTP_ROUTES.map(routeKey).sort());
    const noteBody = reply.body.paths['/v1/incidents/{id}/notes']?.post?.requestBody;
    expect(JSON.stringify(noteBody)).toContain('"required":["message"]');
  });
});
