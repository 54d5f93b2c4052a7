/**
 * The incoming on-call person is told at the handoff: which role, until when, and the open
 * incidents they now hold. The local runtime schedules each rotation's next handoff and each
 * override's start with timers, calling the page function with the payload EventBridge Scheduler
 * sends on AWS; a duplicate invocation notifies nobody twice. A time scale speeds up the ladder,
 * not the calendar: the notice comes when the rotation switches, not before.
 */
import type { OnCallNow } from '../../lambdas/core/rotations.js';
import type { LocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventually,
  handoffsIn,
  LOCAL_ROUTING_KEY,
  outbox,
  startTestRuntime,
  withDailyPrimaryRotation,
} from '../support/local.js';

// As in a drill: the ladder runs 60 times faster. Before, handoff notices did too, and came
// minutes before the rotation switched.
const TIME_SCALE = 60;
/** The runtime's clock reads this long before the handoff when the runtime first reads it. */
const LEAD_MS = 4_000;

describe('handoff notifications', () => {
  let runtime: LocalRuntime;
  const real = Date.now();
  const handoff = new Date(Math.floor(real / 60_000) * 60_000 + 5 * 60_000);
  const overrideFrom = new Date(handoff.getTime() + 1_000);
  const overrideTo = new Date(overrideFrom.getTime() + 3_600_000);
  // The clock starts LEAD_MS before the handoff at its first reading (the end of start-up) and
  // then runs at real speed.
  let anchor: number | undefined;
  const clock = {
    now: () => {
      anchor ??= Date.now();
      return new Date(handoff.getTime() - LEAD_MS + (Date.now() - anchor));
    },
  };
  /** The real time at which the runtime's clock reads `at`. */
  const realTimeOf = (at: Date) => (anchor ?? Number.NaN) + at.getTime() - (handoff.getTime() - LEAD_MS);

  beforeAll(async () => {
    const config = withDailyPrimaryRotation(handoff, real, [
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
    // The clock runs minutes ahead of the ladder's real waits: the incident is read, not its page.
    const open = await call<{ incidents: { id: string }[] }>(runtime, 'GET', '/v1/incidents?status=open');
    const incidentId = open.body.incidents[0]?.id;

    const notice = await eventually(
      async () => handoffsIn(await outbox(runtime)).find((message) => message.responder === incoming),
      'the handoff notification',
    );
    // Sent when the rotation switched: by then the API names the incoming person as primary.
    expect(Date.parse(notice.at)).toBeGreaterThanOrEqual(realTimeOf(handoff));
    const after = (await call<{ roles: OnCallNow[] }>(runtime, 'GET', '/v1/oncall')).body.roles.find(
      (role) => role.role === 'primary',
    );
    expect(after?.now).toBe(incoming);
    expect(notice.subject).toBe('[Klaxon] You are now primary on call (1 open incident)');
    expect(notice.sms).toMatch(/^Klaxon: you are now primary on call until .+\. 1 open incident: klaxon list$/);
    expect(notice.email).toContain(`klaxon show ${incidentId}`);
    expect(notice.email).toContain(new Date(handoff.getTime() + 86_400_000).toISOString());

    // EventBridge Scheduler delivers at least once: the same payload again notifies nobody.
    const again = await runtime.handoffs.notify({
      handoff: 'rotation',
      rotation: 'primary-daily',
      at: handoff.toISOString(),
    });
    expect(again).toEqual({ notified: [], skipped: [`rotation#primary-daily#primary#${handoff.toISOString()}`] });
    expect(handoffsIn(await outbox(runtime)).filter((message) => message.responder === incoming)).toHaveLength(1);
  });

  it('notifies the person an override puts on call, once', async () => {
    const notice = await eventually(
      async () => handoffsIn(await outbox(runtime)).find((message) => message.responder === 'eng-manager'),
      'the override handoff notification',
    );
    expect(Date.parse(notice.at)).toBeGreaterThanOrEqual(realTimeOf(overrideFrom));
    expect(notice.subject).toBe('[Klaxon] You are now secondary on call');
    expect(notice.email).toContain(overrideTo.toISOString());
    const again = await runtime.handoffs.notify({ handoff: 'override', override: 0, at: overrideFrom.toISOString() });
    expect(again).toMatchObject({ notified: [] });
    expect(handoffsIn(await outbox(runtime)).filter((message) => message.responder === 'eng-manager')).toHaveLength(1);
  });
});
