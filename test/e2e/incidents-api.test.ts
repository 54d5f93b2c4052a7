/** The responders' API: list with a cursor, show with timeline, and clear refusals. */
import type { Incident, IncidentWithTimeline } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, LOCAL_ROUTING_KEY, startTestRuntime } from '../support/local.js';

describe('incident API', () => {
  let runtime: LocalRuntime;
  const ids: string[] = [];
  beforeAll(async () => {
    runtime = await startTestRuntime();
    for (let i = 0; i < 5; i++) {
      await call(runtime, 'POST', '/v1/alerts/events', {
        routing_key: LOCAL_ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: `api-test-${i}`,
        payload: { summary: `Problem ${i}`, source: 'api-test', severity: 'info' },
      });
    }
    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open');
    ids.push(...open.body.incidents.map((item) => item.id));
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('lists open incidents newest first, page by page with the cursor', async () => {
    const first = await call<{ incidents: Incident[]; next: string | null }>(
      runtime,
      'GET',
      '/v1/incidents?status=open&limit=2',
    );
    expect(first.body.incidents.map((item) => item.title)).toEqual(['Problem 4', 'Problem 3']);
    const seen = [...first.body.incidents];
    let next = first.body.next;
    while (next) {
      const page = await call<{ incidents: Incident[]; next: string | null }>(
        runtime,
        'GET',
        `/v1/incidents?status=open&limit=2&cursor=${encodeURIComponent(next)}`,
      );
      seen.push(...page.body.incidents);
      next = page.body.next;
    }
    expect(seen.map((item) => item.title)).toEqual(['Problem 4', 'Problem 3', 'Problem 2', 'Problem 1', 'Problem 0']);
  });

  it('shows an incident with its timeline in time order', async () => {
    const reply = await call<IncidentWithTimeline>(runtime, 'GET', `/v1/incidents/${ids[0]}`);
    expect(reply.status).toBe(200);
    expect(reply.body.timeline[0]?.type).toBe('opened');
    const times = reply.body.timeline.map((entry) => entry.at);
    expect([...times].sort()).toEqual(times);
  });

  it('answers 404 for an unknown incident and 400 for a cursor it did not issue', async () => {
    expect((await call(runtime, 'GET', '/v1/incidents/NOPE')).status).toBe(404);
    expect((await call(runtime, 'POST', '/v1/incidents/NOPE/acknowledge', {})).status).toBe(404);
    const badCursor = await call<{ message: string }>(runtime, 'GET', '/v1/incidents?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.message).toContain('cursor');
    expect((await call(runtime, 'GET', '/v1/incidents?status=sleeping')).status).toBe(400);
  });

  it('answers 400 "start again without it" for a cursor from another listing: another status, another range, or not a key', async () => {
    type Page = { incidents: Incident[]; next: string | null; message?: string };
    const first = await call<Page>(runtime, 'GET', '/v1/incidents?status=open&limit=1');
    const cursor = encodeURIComponent(first.body.next ?? '');
    expect(cursor).not.toBe('');
    for (const query of [
      `status=acknowledged&cursor=${cursor}`,
      `status=open&from=2099-01-01T00:00:00Z&cursor=${cursor}`,
      `status=open&severity=SEV1&cursor=${cursor}`,
      `status=open&cursor=${Buffer.from('{"a":1}').toString('base64url')}`,
    ]) {
      const reply = await call<Page>(runtime, 'GET', `/v1/incidents?${query}`);
      expect({ query, status: reply.status, message: reply.body.message }).toEqual({
        query,
        status: 400,
        message: expect.stringContaining('start again without it'),
      });
    }

    // A cursor still pages through the listing it came from, filters and all.
    const filtered = 'status=open&from=2000-01-01T00:00:00Z&limit=3';
    const page1 = await call<Page>(runtime, 'GET', `/v1/incidents?${filtered}`);
    const page2 = await call<Page>(
      runtime,
      'GET',
      `/v1/incidents?${filtered}&cursor=${encodeURIComponent(page1.body.next ?? '')}`,
    );
    expect([...page1.body.incidents, ...page2.body.incidents].map((item) => item.title)).toEqual([
      'Problem 4',
      'Problem 3',
      'Problem 2',
      'Problem 1',
      'Problem 0',
    ]);
  });

  it('answers 400 for a listing whose "from" is not before its "to"', async () => {
    const reply = await call<{ message: string }>(
      runtime,
      'GET',
      '/v1/incidents?status=open&from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('"from" must be before "to"');
  });

  it('answers 409 when resolving a resolved incident or acknowledging it, and lists it as resolved', async () => {
    const id = ids[1] ?? '';
    const resolved = await call<Incident>(runtime, 'POST', `/v1/incidents/${id}/resolve`, {
      by: 'primary-oncall',
      note: 'restarted',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'primary-oncall' });

    const again = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${id}/resolve`, {});
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('already resolved');
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, {})).status).toBe(409);

    const list = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=resolved');
    expect(list.body.incidents.map((item) => item.id)).toContain(id);
  });

  it('lets exactly one of two racing acknowledgements win', async () => {
    const id = ids[2] ?? '';
    const [a, b] = await Promise.all([
      call<Incident>(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { by: 'primary-oncall' }),
      call<Incident>(runtime, 'POST', `/v1/incidents/${id}/acknowledge`, { by: 'secondary-oncall' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.acknowledgedBy).toBe(b.body.acknowledgedBy);
    const shown = await call<IncidentWithTimeline>(runtime, 'GET', `/v1/incidents/${id}`);
    expect(shown.body.timeline.filter((entry) => entry.type === 'acknowledged')).toHaveLength(1);
  });
});
