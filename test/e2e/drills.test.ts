/** Fire drills: a real incident on the real ladder, and every message it sends says [DRILL]. */
import type { Incident } from '../../lambdas/core/incident.js';
import type { OutboxEvent } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, eventually, incident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

// 600x: the SEV1 ladder's 5-minute step comes after half a second.
const TIME_SCALE = 600;

describe('fire drills', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ timeScale: TIME_SCALE });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('every message a drill sends says [DRILL], on every channel and every step', async () => {
    const started = await call<Incident>(runtime, 'POST', '/v1/drills', { severity: 'SEV1', by: 'eng-manager' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ drill: true, severity: 'SEV1', status: 'open', title: 'Fire drill' });
    const id = started.body.id;

    const pages = await eventually(async () => {
      const sent = pagesIn(await outbox(runtime)).filter((page) => page.incidentId === id);
      return sent.length >= 3 ? sent : undefined;
    }, 'the drill to escalate past its first step');
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

  it('refuses a drill it cannot run, saying which field is wrong, and opens nothing', async () => {
    const before = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open')).body.incidents;
    const reply = await call<{ message: string }>(runtime, 'POST', '/v1/drills', { severity: 'SEV9' });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('severity');
    const after = (await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open')).body.incidents;
    expect(after).toHaveLength(before.length);
  });
});
