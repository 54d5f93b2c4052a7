/**
 * Reminders end to end on the local runtime, the real ASL on aws-local-stepfunctions on a clock
 * the test advances: status-update reminders fire at the tier's interval while the incident is unresolved,
 * a note pushes the next one back, and they stop at resolve; a resolved SEV1 gets its post-mortem
 * reminders unless the post-mortem was marked done; everyone paged hears it is resolved.
 */
import { DEFAULT_SEVERITY_POLICY, parseConfig } from '../../lambdas/core/config.js';
import type { Incident, IncidentWithTimeline } from '../../lambdas/core/incident.js';
import { ManualClock } from '../../local/clock.js';
import type { OutboxEvent, OutboxPage } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, openIncident, outbox, remindersIn, startTestRuntime, testConfig } from '../support/local.js';

const trigger = (runtime: LocalRuntime, summary: string, severity = 'critical') =>
  openIncident(runtime, summary, severity);

const remindersFor = async (runtime: LocalRuntime, incidentId: string, purpose: OutboxPage['purpose']) =>
  remindersIn(await outbox(runtime), purpose).filter((message) => message.incidentId === incidentId);

const remindedEventsFor = async (runtime: LocalRuntime, incidentId: string) =>
  (await outbox(runtime)).filter(
    (message): message is OutboxEvent =>
      message.service === 'events' && message.detail.kind === 'reminded' && message.detail.incident.id === incidentId,
  );

describe('status-update reminders', () => {
  const MINUTE = 60_000;
  // SEV1's status-update interval.
  const INTERVAL_MS = 15 * MINUTE;
  const clock = new ManualClock();
  const at = (ms: number) => new Date(ms).toISOString();
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('an acknowledged SEV1 left without notes reminds its acknowledger every 15 minutes; a note pushes the next back; resolving stops them', async () => {
    const opened = await trigger(runtime, 'Payments API returns 503');
    await clock.advance(2 * MINUTE);
    const ack = await call<Incident>(runtime, 'POST', `/v1/incidents/${opened.id}/acknowledge`, {
      by: 'secondary-oncall',
    });
    expect(ack.status).toBe(200);
    const acknowledgedAt = Date.parse(ack.body.acknowledgedAt ?? '');

    // To the acknowledger, by SMS and email (SEV1 pages both ways), an interval after the
    // acknowledgement and an interval after that; nobody was reminded before.
    await clock.advance(2 * INTERVAL_MS);
    const firstTwo = await remindersFor(runtime, opened.id, 'status-update-reminder');
    expect(firstTwo.map((message) => [message.responder, message.at])).toEqual([
      ['secondary-oncall', at(acknowledgedAt + INTERVAL_MS)],
      ['secondary-oncall', at(acknowledgedAt + 2 * INTERVAL_MS)],
    ]);
    const [first] = firstTwo;
    expect(first?.sms).toContain('UPDATE DUE');
    expect(first?.email).toContain('Current Status: <Investigating|Mitigating|Resolved>');
    const events = await remindedEventsFor(runtime, opened.id);
    expect(events).toHaveLength(2);
    expect(events[0]?.detailType).toBe('Incident Reminded');
    expect(events[0]?.detail).toMatchObject({ reminder: 'status-update', responder: 'secondary-oncall' });

    // A status update five minutes on: the next reminder counts from it.
    await clock.advance(5 * MINUTE);
    const note = await call<IncidentWithTimeline>(runtime, 'POST', `/v1/incidents/${opened.id}/notes`, {
      by: 'secondary-oncall',
      message: 'Mitigating: failing over to the standby region',
    });
    expect(note.status).toBe(200);
    const notedAt = Date.parse(note.body.timeline.find((entry) => entry.type === 'note')?.at ?? '');
    await clock.advance(INTERVAL_MS - 1_000);
    expect(await remindersFor(runtime, opened.id, 'status-update-reminder')).toHaveLength(2);
    await clock.advance(1_000);
    const afterNote = (await remindersFor(runtime, opened.id, 'status-update-reminder')).slice(2);
    expect(afterNote.map((message) => message.at)).toEqual([at(notedAt + INTERVAL_MS)]);

    const resolved = await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'secondary-oncall' });
    expect(resolved.status).toBe(200);
    // Three intervals later, nothing more came: the execution was stopped at resolve.
    await clock.advance(3 * INTERVAL_MS);
    const all = await remindersFor(runtime, opened.id, 'status-update-reminder');
    expect(all).toHaveLength(3);
    const timeline = (await incident(runtime, opened.id)).timeline;
    expect(timeline.filter((entry) => entry.type === 'reminded')).toHaveLength(3);
  });

  it('an unacknowledged SEV1 reminds the primary; a drill says [DRILL]', async () => {
    const drill = await call<Incident>(runtime, 'POST', '/v1/drills', {
      severity: 'SEV1',
      title: 'Monthly fire drill',
      by: 'eng-manager',
    });
    expect(drill.status).toBe(201);
    await clock.advance(INTERVAL_MS);
    const reminders = await remindersFor(runtime, drill.body.id, 'status-update-reminder');
    expect(reminders.map((reminder) => reminder.responder)).toEqual(['primary-oncall']);
    expect(reminders[0]?.subject).toMatch(/^\[DRILL\] /);
    expect(reminders[0]?.sms).toMatch(/^\[DRILL\] /);
    expect((await call(runtime, 'POST', `/v1/incidents/${drill.body.id}/resolve`, { by: 'eng-manager' })).status).toBe(
      200,
    );
  });
});

describe('post-mortem reminders', () => {
  // SEV1's status-update reminders are off in this config: only the post-mortem ones are sent.
  const HOUR = 3_600_000;
  const clock = new ManualClock();
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      clock,
      config: parseConfig({
        ...testConfig(),
        severityPolicy: { SEV1: { ...DEFAULT_SEVERITY_POLICY.SEV1, statusUpdateEvery: null } },
      }),
    });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const postmortemExecution = (incidentId: string) =>
    runtime.stepFunctions.list('postmortem-reminder').find((execution) => execution.input.incidentId === incidentId);

  it('a resolved SEV1 whose post-mortem is not done gets a reminder before the deadline and one at it', async () => {
    const opened = await trigger(runtime, 'Orders lost between queue and database');
    await call(runtime, 'POST', `/v1/incidents/${opened.id}/acknowledge`, { by: 'primary-oncall' });
    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'secondary-oncall' })).status).toBe(
      200,
    );
    const resolvedAt = clock.now().getTime();
    await clock.advance(48 * HOUR);
    const reminders = await remindersFor(runtime, opened.id, 'postmortem-reminder');
    // To the acknowledger, by email only, first "due by" a day after the resolution, then "due now" at the 48 h deadline.
    expect(reminders.map((message) => [message.responder, message.at])).toEqual([
      ['primary-oncall', new Date(resolvedAt + 24 * HOUR).toISOString()],
      ['primary-oncall', new Date(resolvedAt + 48 * HOUR).toISOString()],
    ]);
    expect(reminders.every((message) => message.sms === null && message.email !== null)).toBe(true);
    expect(reminders.map((message) => message.subject)).toEqual([
      expect.stringContaining('Post-mortem is due by'),
      expect.stringContaining('Post-mortem is due now'),
    ]);
    expect(reminders[0]?.email).toContain('Post-mortem will be completed by:');
    const execution = postmortemExecution(opened.id);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.statesEntered.filter((state) => state.startsWith('Remind '))).toEqual([
      'Remind before the deadline',
      'Remind at the deadline',
    ]);
  });

  it('a resolved SEV1 whose post-mortem was marked done gets no reminder', async () => {
    const opened = await trigger(runtime, 'Search index corrupted');
    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' })).status).toBe(
      200,
    );
    const done = await call<Incident>(runtime, 'POST', `/v1/incidents/${opened.id}/postmortem`, {
      by: 'primary-oncall',
      url: 'https://wiki.example.com/postmortems/search-index',
    });
    expect(done.status).toBe(200);
    expect(done.body.postmortemDoneAt).toEqual(expect.any(String));
    await clock.advance(48 * HOUR);
    const execution = postmortemExecution(opened.id);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.statesEntered).toContain('Remind before the deadline');
    expect(execution?.statesEntered).not.toContain('Remind at the deadline');
    expect(await remindersFor(runtime, opened.id, 'postmortem-reminder')).toEqual([]);
    expect(await remindedEventsFor(runtime, opened.id)).toEqual([]);
  });
});

describe('resolution notice', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const afterResolution = (incidentId: string) =>
    runtime.stepFunctions.list('postmortem-reminder').find((execution) => execution.input.incidentId === incidentId);

  it('everyone paged for a SEV1 hears it is resolved, once each, on the channels they were paged on', async () => {
    const opened = await trigger(runtime, 'Checkout returns 500 for every card');
    // The 5-minute step pages the primary again and the secondary.
    await clock.advance(5 * 60_000);
    const pages = (await outbox(runtime)).filter(
      (message): message is OutboxPage =>
        message.service === 'sns' && message.purpose === 'page' && message.incidentId === opened.id,
    );
    expect(pages.map((page) => page.responder)).toEqual(['primary-oncall', 'primary-oncall', 'secondary-oncall']);
    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' })).status).toBe(
      200,
    );

    await clock.settle();
    const notices = await remindersFor(runtime, opened.id, 'resolution');
    expect(notices.map((notice) => notice.responder).sort()).toEqual(['primary-oncall', 'secondary-oncall']);
    for (const notice of notices) {
      expect(notice.subject).toContain('[SEV1] RESOLVED');
      expect(notice.sms).toContain('SEV1 RESOLVED');
      expect(notice.email).toContain('Resolution: resolved by primary-oncall');
      expect(notice.email).toContain('Post-mortem will be completed by: ');
    }
    const shown: IncidentWithTimeline = await incident(runtime, opened.id);
    expect(shown.timeline.filter((entry) => entry.type === 'resolution-notice')).toHaveLength(2);
  });

  it('a SEV3 (post-mortem optional) paged by email hears by email, and has no reminders to wait for', async () => {
    const opened = await trigger(runtime, 'One report export slow', 'warning');
    expect(opened.severity).toBe('SEV3');
    await clock.settle();
    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' })).status).toBe(
      200,
    );
    await clock.settle();
    const notices = await remindersFor(runtime, opened.id, 'resolution');
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice).toMatchObject({ responder: 'primary-oncall', sms: null });
    expect(notice?.email).toContain('Post-mortem will be completed by: optional for SEV3');
    const execution = afterResolution(opened.id);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.statesEntered).toEqual([
      'Tell those paged it is resolved',
      'Any post-mortem deadline?',
      'Reminders over',
    ]);
  });
});

describe('status-update reminders when the first step reached only a backup', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
    runtime.outbox.failDeliveries('primary-oncall', ['sms', 'email']);
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('are scheduled by the fallback that paged the backup, as by any page of the step', async () => {
    const opened = await openIncident(runtime, 'Primary unreachable', 'critical');
    await clock.advance(60_000);
    const pages = (await outbox(runtime)).filter(
      (message): message is OutboxPage => message.service === 'sns' && message.incidentId === opened.id,
    );
    expect(pages.map((page) => page.responder)).toEqual(['secondary-oncall']);
    expect(runtime.schedules.list().map((schedule) => schedule.work.payload)).toContainEqual({
      klaxon: 'status-update-reminder',
      incidentId: opened.id,
    });
  });
});
