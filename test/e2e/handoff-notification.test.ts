/**
 * The incoming on-call person is told at the handoff: which role, until when, and the open
 * incidents they now hold. The local runtime schedules each rotation's next handoff and each
 * override's start with timers, calling the page function with the payload EventBridge Scheduler
 * sends on AWS; a duplicate invocation notifies nobody twice. A time scale speeds up the ladder,
 * not the calendar: the notice comes when the rotation switches, not before.
 */
import type { OnCallNow } from '../../lambdas/core/rotations.js';
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import {
  call,
  handoffsIn,
  LOCAL_ROUTING_KEY,
  outbox,
  startTestRuntime,
  withDailyPrimaryRotation,
} from '../support/local.js';

// As in a drill: the ladder runs 60 times faster. Before, handoff notices did too, and came
// minutes before the rotation switched.
const TIME_SCALE = 60;
/** The clock starts this long before the handoff. */
const LEAD_MS = 4_000;

describe('handoff notifications', () => {
  let runtime: LocalRuntime;
  // A daily handoff is on the minute.
  const handoff = new Date('2026-03-02T09:05:00.000Z');
  const start = handoff.getTime() - LEAD_MS;
  const clock = new ManualClock(new Date(start));
  const overrideFrom = new Date(handoff.getTime() + 1_000);
  const overrideTo = new Date(overrideFrom.getTime() + 3_600_000);

  beforeAll(async () => {
    const config = withDailyPrimaryRotation(handoff, start, [
      { role: 'secondary', responder: 'eng-manager', from: overrideFrom.toISOString(), to: overrideTo.toISOString() },
    ]);
    runtime = await startTestRuntime({ timeScale: TIME_SCALE, config, clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('notifies the incoming primary once, at the handoff, naming the role, the end of the shift and the open incidents', async () => {
    const before = (await call<{ roles: OnCallNow[] }>(runtime, 'GET', '/v1/oncall')).body.roles.find(
      (role) => role.role === 'primary',
    );
    const incoming = before?.next;
    expect(new Set([before?.now, incoming])).toEqual(new Set(['primary-oncall', 'executive']));

    const reply = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      payload: { summary: 'Nightly export failing', source: 'handoff-test', severity: 'warning' },
    });
    expect(reply.status).toBe(202);
    const open = await call<{ incidents: { id: string; number: number }[] }>(
      runtime,
      'GET',
      '/v1/incidents?status=open',
    );
    const number = open.body.incidents[0]?.number;

    // A millisecond before the handoff (four of the ladder's scaled minutes), nobody was told yet.
    await clock.advance(LEAD_MS - 1);
    expect(handoffsIn(await outbox(runtime))).toEqual([]);
    await clock.advance(1);
    const notices = handoffsIn(await outbox(runtime));
    expect(notices.map((message) => [message.responder, message.at])).toEqual([[incoming, handoff.toISOString()]]);
    const [notice] = notices;
    // Sent when the rotation switched: by then the API names the incoming person as primary.
    const after = (await call<{ roles: OnCallNow[] }>(runtime, 'GET', '/v1/oncall')).body.roles.find(
      (role) => role.role === 'primary',
    );
    expect(after?.now).toBe(incoming);
    expect(notice?.subject).toBe('[Klaxon] You are now primary on call (1 open incident)');
    expect(notice?.sms).toMatch(/^Klaxon: you are now primary on call until .+\. 1 open incident: klaxon list$/);
    expect(notice?.email).toContain(`#${number} SEV3 `);
    expect(notice?.email).toContain(`klaxon show ${number}`);
    expect(notice?.email).toContain(new Date(handoff.getTime() + 86_400_000).toISOString());

    // EventBridge Scheduler delivers at least once: the same payload again notifies nobody.
    const again = await runtime.handoffs.notify({
      handoff: 'rotation',
      team: 'ops',
      rotation: 'primary-daily',
      at: handoff.toISOString(),
    });
    expect(again).toEqual({ notified: [], skipped: [`rotation#ops#primary-daily#primary#${handoff.toISOString()}`] });
    expect(handoffsIn(await outbox(runtime)).filter((message) => message.responder === incoming)).toHaveLength(1);
  });

  it('notifies the person an override puts on call, once', async () => {
    await clock.advanceTo(overrideFrom);
    const notices = handoffsIn(await outbox(runtime)).filter((message) => message.responder === 'eng-manager');
    expect(notices.map((message) => message.at)).toEqual([overrideFrom.toISOString()]);
    expect(notices[0]?.subject).toBe('[Klaxon] You are now secondary on call');
    expect(notices[0]?.email).toContain(overrideTo.toISOString());
    const again = await runtime.handoffs.notify({
      handoff: 'override',
      team: 'ops',
      override: 0,
      at: overrideFrom.toISOString(),
    });
    expect(again).toMatchObject({ notified: [] });
    expect(handoffsIn(await outbox(runtime)).filter((message) => message.responder === 'eng-manager')).toHaveLength(1);
  });
});
