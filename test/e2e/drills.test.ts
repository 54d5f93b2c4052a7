/** Fire drills: a real incident on the real ladder, and every message it sends says [DRILL]. */
import type { Incident } from '../../lambdas/core/incident.js';
import { ManualClock } from '../../local/clock.js';
import type { OutboxEvent } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, openIncident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

describe('fire drills', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('every message a drill sends says [DRILL], on every channel and every step', async () => {
    const started = await call<Incident>(runtime, 'POST', '/v1/drills', { severity: 'SEV1', by: 'eng-manager' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ drill: true, severity: 'SEV1', status: 'open', title: 'Fire drill' });
    const id = started.body.id;

    // Past its first step: the 5-minute one pages primary and secondary.
    await clock.advance(5 * 60_000);
    const pages = pagesIn(await outbox(runtime)).filter((page) => page.incidentId === id);
    expect(pages.map((page) => page.responder)).toEqual(['primary-oncall', 'primary-oncall', 'secondary-oncall']);
    for (const page of pages) {
      expect(page.subject.startsWith('[DRILL] ')).toBe(true);
      expect(page.sms?.startsWith('[DRILL] ')).toBe(true);
      expect(page.email?.startsWith('[DRILL] ')).toBe(true);
    }
    const events = (await outbox(runtime)).filter(
      (message): message is OutboxEvent => message.service === 'events' && message.detail.incident.id === id,
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.detail.incident.drill === true)).toBe(true);

    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'eng-manager' })).status).toBe(200);
    expect((await incident(runtime, id)).status).toBe('resolved');
  });

  it('a drill with the longest id it may have gets its status-update reminders scheduled', async () => {
    const id = `drill-${'x'.repeat(58)}`;
    const started = await call<Incident>(runtime, 'POST', '/v1/drills', { severity: 'SEV1', by: 'eng-manager', id });
    expect(started.status).toBe(201);
    await clock.settle();
    const looks = runtime.schedules.list().filter((schedule) => schedule.work.payload.incidentId === id);
    expect(looks).toHaveLength(1);
    expect(looks[0]?.name).toMatch(/^su-[0-9A-Za-z._-]{1,61}$/);
    expect((await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'eng-manager' })).status).toBe(200);
  });

  it('refuses a drill whose id names a real incident (409), leaving that incident as it was; a retry of a drill returns it', async () => {
    const real = await openIncident(runtime, 'Orders queue backing up', 'warning');
    const numbered = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open')).body
      .incidents;
    const reply = await call<{ message: string }>(runtime, 'POST', '/v1/drills', {
      severity: 'SEV1',
      by: 'eng-manager',
      id: real.id,
    });
    expect(reply.status).toBe(409);
    expect(reply.body.message).toContain('is no drill');
    expect(await incident(runtime, real.id)).toMatchObject({ drill: false, severity: 'SEV3', title: real.title });
    const drill = await call<Incident>(runtime, 'POST', '/v1/drills', {
      severity: 'SEV4',
      by: 'eng-manager',
      id: 'drill-retry',
    });
    const again = await call<Incident>(runtime, 'POST', '/v1/drills', {
      severity: 'SEV4',
      by: 'eng-manager',
      id: 'drill-retry',
    });
    expect(again.body).toMatchObject({ id: 'drill-retry', number: drill.body.number, drill: true });
    expect(Math.max(...numbered.map((item) => item.number))).toBeLessThan(drill.body.number);
  });

  it('refuses a drill it cannot run, saying which field is wrong, and opens nothing', async () => {
    const before = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open')).body.incidents;
    const reply = await call<{ message: string }>(runtime, 'POST', '/v1/drills', { severity: 'SEV9' });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('severity');
    const after = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open')).body.incidents;
    expect(after).toHaveLength(before.length);
  });
});
