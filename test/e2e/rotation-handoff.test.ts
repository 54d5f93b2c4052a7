/**
 * Roles resolve to people at the moment of each page: a rotation handoff while an incident is
 * open pages the new primary at the next step. The test's clock passes the handoff after the
 * first page, then reaches the 5-minute step.
 */
import type { OnCallNow } from '../../lambdas/core/rotations.js';
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import {
  call,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
  withDailyPrimaryRotation,
} from '../support/local.js';

const MINUTE = 60_000;

describe('a rotation handoff during an open incident', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  const start = clock.now().getTime();
  // A daily UTC handoff two minutes after the clock's start.
  const handoff = new Date(start + 2 * MINUTE);

  beforeAll(async () => {
    runtime = await startTestRuntime({ clock, config: withDailyPrimaryRotation(handoff, start) });
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
    await clock.settle();
    expect(pagesIn(await outbox(runtime)).map((page) => page.responder)).toEqual([outgoing]);

    await clock.advance(3 * MINUTE); // a minute past the handoff
    expect((await primaryNow())?.now).toBe(incoming);

    await clock.advance(2 * MINUTE); // the 5-minute step
    expect(pagesIn(await outbox(runtime)).map((page) => page.responder)).toEqual([
      outgoing,
      incoming,
      'secondary-oncall',
    ]);
  });
});
