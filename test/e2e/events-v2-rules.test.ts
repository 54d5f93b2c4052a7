/** The PagerDuty Events API v2 request rules, to the character: what PagerDuty accepts, Klaxon accepts. */
import type { IncidentWithTimeline } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, LOCAL_ROUTING_KEY, startTestRuntime } from '../support/local.js';

type Reply = { status: string; message: string; dedup_key?: string; errors?: string[] };

describe('Events API v2 request rules', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const trigger = (changes: { summary?: string; dedup_key?: string; severity?: string }) =>
    call<Reply>(runtime, 'POST', '/v2/enqueue', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: changes.dedup_key ?? `rules-${Math.random()}`,
      payload: { summary: changes.summary ?? 'rules', source: 'test', severity: changes.severity ?? 'info' },
    });

  it.each([
    ['a 1024-character summary', { summary: 's'.repeat(1024) }],
    ['a 255-character dedup_key', { dedup_key: 'k'.repeat(255) }],
  ])('accepts %s with 202', async (_, changes) => {
    const reply = await trigger(changes);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ status: 'success', message: 'Event processed' });
  });

  it.each([
    ['a 1025-character summary', { summary: 's'.repeat(1025) }, 'payload.summary', 1024],
    ['a 256-character dedup_key', { dedup_key: 'k'.repeat(256) }, 'dedup_key', 255],
  ])('refuses %s with 400 naming the field', async (_, changes, field, limit) => {
    const reply = await trigger(changes);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      status: 'invalid event',
      errors: [`'${field}' must be at most ${limit} characters`],
    });
  });

  it.each([
    ['critical', 'SEV1'],
    ['error', 'SEV2'],
    ['warning', 'SEV3'],
    ['info', 'SEV4'],
  ])('severity %s opens a %s incident', async (severity, expected) => {
    const key = `severity-${severity}`;
    expect((await trigger({ severity, dedup_key: key })).body.dedup_key).toBe(key);
    const open = await call<{ incidents: IncidentWithTimeline[] }>(
      runtime,
      'GET',
      '/v1/incidents?status=open&limit=100',
    );
    expect(open.body.incidents.find((item) => item.dedupKey === key)?.severity).toBe(expected);
  });
});
