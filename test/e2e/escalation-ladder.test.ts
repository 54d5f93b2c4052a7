import { planLadder } from '../../lambdas/core/ladder.js';
import { ManualClock } from '../../local/clock.js';
import type { OutboxPage } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, openIncident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const pagesFor = async (runtime: LocalRuntime, incidentId: string): Promise<OutboxPage[]> =>
  pagesIn(await outbox(runtime)).filter((page) => page.incidentId === incidentId);

const executionOf = (runtime: LocalRuntime, incidentId: string) =>
  runtime.stepFunctions.list().find((execution) => execution.input.incidentId === incidentId);

describe('the escalation ladder on the local runtime', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('an unacknowledged SEV1 walks the whole ladder to the executive, in order, never before each step is due', async () => {
    const opened = await openIncident(runtime, 'Checkout is down everywhere', 'critical');
    expect(opened.severity).toBe('SEV1');

    await clock.advance(2 * HOUR);
    const pages = await pagesFor(runtime, opened.id);

    expect(pages.map((page) => page.responder)).toEqual([
      'primary-oncall', // 0
      'primary-oncall', // 5m unless acknowledged
      'secondary-oncall',
      'secondary-oncall', // 30m
      'eng-manager', // 1h
      'executive', // 2h
    ]);
    // Each step's page goes out when its offset is reached, not before, not later.
    const plan = planLadder(runtime.config.severityPolicy.SEV1, opened.openedAt, 1);
    const stepOfPage = [0, 1, 1, 2, 3, 4];
    expect(pages.map((page) => page.at)).toEqual(stepOfPage.map((index) => plan[index]?.dueAt));
    expect(pages.every((page) => page.sms?.startsWith('SEV1') && page.email !== null)).toBe(true);
    const escalations = (await outbox(runtime)).filter(
      (message) =>
        message.service === 'events' && message.detail.incident.id === opened.id && message.detail.kind === 'escalated',
    );
    expect(escalations.map((message) => message.service === 'events' && message.detail.step)).toEqual([1, 2, 3, 4]);
    // Each names its run, so a consumer deduping on incident and step does not swallow a later episode's.
    expect(escalations.map((message) => message.service === 'events' && message.detail.run)).toEqual([1, 1, 1, 1]);
  });

  it('an SNS failure for one responder falls back to email, records the failure, and the ladder goes on', async () => {
    const failing = await call(runtime, 'POST', '/_local/sns/failures', {
      responder: 'secondary-oncall',
      channels: ['sms'],
    });
    expect(failing.status).toBe(200);
    try {
      const opened = await openIncident(runtime, 'Payments failing for EU cards', 'critical');
      // Nobody acknowledges: after the 5m step (where secondary's SMS fails) the ladder reaches the manager.
      await clock.advance(HOUR);
      const pages = await pagesFor(runtime, opened.id);
      expect(pages.some((page) => page.responder === 'eng-manager')).toBe(true);

      const toSecondary = pages.filter((page) => page.responder === 'secondary-oncall');
      expect(toSecondary.length).toBeGreaterThan(0);
      expect(toSecondary.every((page) => page.sms === null && page.email !== null)).toBe(true);

      const timeline = (await incident(runtime, opened.id)).timeline;
      const failed = timeline.filter((entry) => entry.type === 'page-failed');
      expect(failed.map((entry) => entry.responder)).toEqual(['secondary-oncall', 'secondary-oncall']);
      expect(timeline.filter((entry) => entry.type === 'paged' && entry.fallbackFor === 'secondary-oncall')).toEqual([
        expect.objectContaining({ responder: 'secondary-oncall', channels: ['email'], step: 1 }),
        expect.objectContaining({ responder: 'secondary-oncall', channels: ['email'], step: 2 }),
      ]);
      expect(executionOf(runtime, opened.id)?.status).not.toBe('FAILED');
    } finally {
      await call(runtime, 'POST', '/_local/sns/failures', { responder: 'secondary-oncall', channels: [] });
    }
  });

  it('a responder unreachable on every channel is replaced by the backup role, and the ladder goes on', async () => {
    await call(runtime, 'POST', '/_local/sns/failures', { responder: 'primary-oncall', channels: ['sms', 'email'] });
    try {
      const opened = await openIncident(runtime, 'Login page returns 503', 'critical');
      await clock.advance(HOUR);
      const pages = await pagesFor(runtime, opened.id);
      expect(pages.some((page) => page.responder === 'eng-manager')).toBe(true);
      expect(pages.some((page) => page.responder === 'primary-oncall')).toBe(false);
      const timeline = (await incident(runtime, opened.id)).timeline;
      expect(timeline).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'page-failed', responder: 'primary-oncall', step: 0 }),
          expect.objectContaining({
            type: 'paged',
            responder: 'secondary-oncall',
            fallbackFor: 'primary-oncall',
            step: 0,
          }),
        ]),
      );
    } finally {
      await call(runtime, 'POST', '/_local/sns/failures', { responder: 'primary-oncall', channels: [] });
    }
  });

  it('when the primary and the secondary are both unreachable, the engineering manager stands in from the first step, and the ladder still reaches the executive', async () => {
    const unreachable = ['primary-oncall', 'secondary-oncall'];
    for (const responder of unreachable) {
      await call(runtime, 'POST', '/_local/sns/failures', { responder, channels: ['sms', 'email'] });
    }
    try {
      const opened = await openIncident(runtime, 'Region outage takes out both on-call phones', 'critical');
      await clock.advance(2 * HOUR);
      const timeline = (await incident(runtime, opened.id)).timeline;
      const paged = timeline.filter((entry) => entry.type === 'paged');
      expect(paged.filter((entry) => entry.step === 0)).toEqual([
        expect.objectContaining({ responder: 'eng-manager', fallbackFor: 'primary-oncall' }),
      ]);
      expect(paged.filter((entry) => entry.step === 3)).toEqual([
        expect.objectContaining({ responder: 'eng-manager', step: 3 }),
      ]);
      expect(paged.filter((entry) => entry.step === 4)).toEqual([
        expect.objectContaining({ responder: 'executive', step: 4 }),
      ]);
      expect(paged.some((entry) => unreachable.includes(String(entry.responder)))).toBe(false);
      expect(executionOf(runtime, opened.id)?.status).not.toBe('FAILED');
    } finally {
      for (const responder of unreachable) {
        await call(runtime, 'POST', '/_local/sns/failures', { responder, channels: [] });
      }
    }
  });

  it('an executive nobody can reach is shown on the timeline, and the status-update reminders go on after it', async () => {
    await call(runtime, 'POST', '/_local/sns/failures', { responder: 'executive', channels: ['sms', 'email'] });
    try {
      const opened = await openIncident(runtime, 'Datacenter power loss, executive phone off', 'critical');
      await clock.advance(2 * HOUR);
      const gaveUp = (await incident(runtime, opened.id)).timeline.find(
        (entry) => entry.type === 'unreachable' && entry.responder === 'executive',
      );
      expect(gaveUp).toMatchObject({ step: 4, message: expect.stringContaining('Nobody could be reached') });
      // The fallback failed (the page function's error alarm reports it), and the escalation went on:
      // the next status-update reminder (every 15 minutes, on its own schedule) comes after it.
      await clock.advance(15 * MINUTE);
      const later = (await incident(runtime, opened.id)).timeline.filter(
        (entry) => entry.type === 'reminded' && entry.at > (gaveUp?.at ?? ''),
      );
      expect(later).toEqual([expect.objectContaining({ responder: 'primary-oncall' })]);
      expect(executionOf(runtime, opened.id)?.status).not.toBe('FAILED');
      expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' })).status).toBe(
        200,
      );
    } finally {
      await call(runtime, 'POST', '/_local/sns/failures', { responder: 'executive', channels: [] });
    }
  });

  it('refuses a failure injection it cannot read, and says what to send', async () => {
    const reply = await call<{ message: string }>(runtime, 'POST', '/_local/sns/failures', { responder: 7 });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('"channels"');
  });
});

describe('an acknowledged SEV2 on the local runtime', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('a SEV2 acknowledged at 10 minutes never pages by SMS', async () => {
    const opened = await openIncident(runtime, 'p99 latency above SLO', 'error');
    expect(opened.severity).toBe('SEV2');
    await clock.advance(10 * MINUTE);
    const acked = await call(runtime, 'POST', `/v1/incidents/${opened.id}/acknowledge`, { by: 'primary-oncall' });
    expect(acked.status).toBe(200);

    // Both SMS steps (15m and 1h, "unless acknowledged") reach the page task, which skips them.
    await clock.advance(HOUR);
    const execution = executionOf(runtime, opened.id);
    expect(execution?.statesEntered.filter((name) => name === 'Page the responders')).toHaveLength(3);
    expect(execution?.status).toBe('RUNNING');

    const pages = await pagesFor(runtime, opened.id);
    expect(pages.map((page) => page.responder)).toEqual(['primary-oncall']);
    expect(pages.every((page) => page.sms === null)).toBe(true);
  });
});
