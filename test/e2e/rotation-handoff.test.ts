/**
 * Roles resolve to people at the moment of each page: a rotation handoff while an incident is
 * open pages the new primary at the next step. The runtime's clock is moved across the handoff
 * after the first page (the ladder's waits run on real, scaled time).
 */
import type { OnCallNow } from '../../lambdas/core/rotations.js';
import type { LocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventually,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
  withDailyPrimaryRotation,
} from '../support/local.js';

// 300x: the SEV1 ladder's 5-minute step comes a second after the first page.
const TIME_SCALE = 300;

describe('a rotation handoff during an open incident', () => {
  let runtime: LocalRuntime;
  let clockOffsetMs = 0;
  const real = Date.now();
  // A daily UTC handoff two to three minutes from now: real time cannot reach it during the test.
  const handoff = new Date(Math.floor(real / 60_000) * 60_000 + 2 * 60_000);

  beforeAll(async () => {
    const config = withDailyPrimaryRotation(handoff, real);
    runtime = await startTestRuntime({
      timeScale: TIME_SCALE,
      config,
      clock: { now: () => new Date(Date.now() + clockOffsetMs) },
    });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const primaryNow = async () => {
    const reply = await call<{ roles: OnCallNow[] }>(runtime, 'GET', '/v1/oncall');
    expect(reply.status).toBe(200);
    return reply.body.roles.find((role) => role.role === 'primary');
  };

  it('pages the new primary at the next step, and GET /v1/oncall names them', async () => {
    const before = await primaryNow();
    expect(before).toMatchObject({ until: handoff.toISOString() });
    const outgoing = before?.now;
    const incoming = before?.next;
    expect(new Set([outgoing, incoming])).toEqual(new Set(['primary-oncall', 'executive']));

    const reply = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      payload: { summary: 'Primary database failover', source: 'rotation-test', severity: 'critical' },
    });
    expect(reply.status).toBe(202);
    const first = await eventually(async () => pagesIn(await outbox(runtime))[0], 'the first page');
    expect(first.responder).toBe(outgoing);

    clockOffsetMs = handoff.getTime() - Date.now() + 60_000; // a minute past the handoff
    expect((await primaryNow())?.now).toBe(incoming);

    const escalation = await eventually(async () => {
      const pages = pagesIn(await outbox(runtime)).filter((page) => page.incidentId === first.incidentId);
      return pages.length >= 3 ? pages : undefined;
    }, 'the 5-minute step');
    expect(escalation.slice(1).map((page) => page.responder)).toEqual([incoming, 'secondary-oncall']);
  });
});
