/**
 * Changing a running ladder end to end on the local runtime: escalate now, a severity change,
 * a reassignment and a repeating ladder, each walked by the real ASL on a clock the test advances. Every
 * re-plan stops the running execution and starts the next run (`<id>-r<n>`).
 */
import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident, IncidentWithTimeline } from '../../lambdas/core/incident.js';
import { ManualClock } from '../../local/clock.js';
import { ladderWalked } from '../../local/local-step-functions.js';
import type { OutboxEvent, OutboxPage } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, openIncident, outbox, pagesIn, startTestRuntime, testConfig } from '../support/local.js';

/**
 * The default SEV1 and SEV3 ladders, plus two tiers shaped for these scenarios: SEV2 with an hour
 * before its second step (room to escalate by hand), SEV4 repeating once when nobody acknowledges.
 */
function replanConfig() {
  const base = testConfig();
  return parseConfig({
    ...base,
    severityPolicy: {
      SEV2: {
        ...base.severityPolicy.SEV2,
        ladder: [
          { after: '0', notify: ['primary'], channels: ['email'] },
          { after: '1h', notify: ['primary', 'secondary'], channels: ['sms'], unless: 'acknowledged' },
          { after: '90m', notify: ['engineering-manager'], channels: ['email'] },
        ],
      },
      SEV4: {
        ...base.severityPolicy.SEV4,
        ladder: [
          { after: '0', notify: ['primary'], channels: ['email'] },
          { after: '10m', notify: ['secondary'], channels: ['email'] },
        ],
        repeat: 1,
        repeatAfter: '10m',
      },
    },
  });
}

const pagesFor = async (runtime: LocalRuntime, incidentId: string): Promise<OutboxPage[]> =>
  pagesIn(await outbox(runtime)).filter((page) => page.incidentId === incidentId);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const executionsOf = (runtime: LocalRuntime, incidentId: string) =>
  runtime.stepFunctions.list().filter((execution) => execution.input.incidentId === incidentId);

/** The execution `name` of the incident, whose ladder is walked (a SEV1/SEV2 one then keeps reminding until resolved). */
const walked = (runtime: LocalRuntime, incidentId: string, name: string) => {
  const execution = executionsOf(runtime, incidentId).find((candidate) => candidate.name === name);
  expect(execution && ladderWalked(execution)).toBe(true);
  return execution;
};

describe('re-planning a running ladder', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock, config: replanConfig() });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('escalate now pages the next step at once, even though acknowledged, and the ladder goes on from there', async () => {
    const opened = await openIncident(runtime, 'Orders stuck in the queue', 'error');
    expect(opened.severity).toBe('SEV2');
    await clock.settle();
    expect(await pagesFor(runtime, opened.id)).toHaveLength(1);
    await clock.advance(5 * MINUTE);
    expect(
      (await call(runtime, 'POST', `/v1/incidents/${opened.id}/acknowledge`, { by: 'primary-oncall' })).status,
    ).toBe(200);

    const escalated = await call<Incident>(runtime, 'POST', `/v1/incidents/${opened.id}/escalate`, {
      by: 'primary-oncall',
      note: 'need the database people',
    });
    expect(escalated.status).toBe(200);
    expect(escalated.body).toMatchObject({ status: 'acknowledged', run: { number: 2, cause: 'escalated' } });
    // The next step (1h, "unless acknowledged") is due now and pages regardless; the 90m step keeps its 30m spacing.
    const [next, after] = escalated.body.run.ladder?.steps ?? [];
    expect(next).toMatchObject({ index: 1, unless: 'resolved', reason: 'escalated', run: 2 });
    expect(after).toMatchObject({ index: 2, unless: 'resolved', run: 2 });
    expect(Date.parse(after?.dueAt ?? '') - Date.parse(next?.dueAt ?? '')).toBe(30 * 60_000);

    await clock.settle();
    const escalatedAt = clock.now().toISOString();
    await clock.advance(30 * MINUTE);
    const pages = await pagesFor(runtime, opened.id);
    expect(pages.map((page) => [page.responder, page.at])).toEqual([
      ['primary-oncall', opened.openedAt],
      ['primary-oncall', escalatedAt],
      ['secondary-oncall', escalatedAt],
      ['eng-manager', clock.now().toISOString()],
    ]);
    expect(pages[1]?.sms).toContain('ESCALATED');

    const first = executionsOf(runtime, opened.id).find((execution) => execution.name === `${opened.id}-r1`);
    expect(first?.status).toBe('ABORTED');
    walked(runtime, opened.id, `${opened.id}-r2`);

    const shown: IncidentWithTimeline = await incident(runtime, opened.id);
    const replanned = shown.timeline.filter((entry) => entry.type === 'ladder-replanned');
    expect(replanned).toEqual([expect.objectContaining({ by: 'primary-oncall', reason: 'escalated', run: 2 })]);
    expect(replanned[0]?.message).toContain('need the database people');
    const manual = (await outbox(runtime)).filter(
      (message): message is OutboxEvent =>
        message.service === 'events' && message.detail.incident.id === opened.id && message.detail.manual === true,
    );
    expect(manual.map((message) => [message.detailType, message.detail.step, message.detail.by])).toEqual([
      ['Incident Escalated', 1, 'primary-oncall'],
    ]);
  });

  it('escalate answers 404 for an unknown incident and 409 once resolved', async () => {
    expect((await call(runtime, 'POST', '/v1/incidents/NO-SUCH-INCIDENT/escalate', {})).status).toBe(404);
    const opened = await openIncident(runtime, 'A flaky health check', 'error');
    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { note: 'fixed' })).status).toBe(200);
    const late = await call<{ message: string }>(runtime, 'POST', `/v1/incidents/${opened.id}/escalate`, {});
    expect(late.status).toBe(409);
    expect(late.body.message).toContain('is resolved');
  });

  it('a ladder with repeat=1 walks twice when nobody acknowledges', async () => {
    const opened = await openIncident(runtime, 'Typo on the status page', 'info');
    expect(opened.severity).toBe('SEV4');
    await clock.advance(HOUR);
    walked(runtime, opened.id, `${opened.id}-r1`);
    const pages = await pagesFor(runtime, opened.id);
    expect(pages.map((page) => page.responder)).toEqual([
      'primary-oncall',
      'secondary-oncall',
      'primary-oncall',
      'secondary-oncall',
    ]);
    expect(pages[2]?.email).toContain('repeat 1 of the ladder');
  });

  it('lowering the severity re-pages nobody for what already happened', async () => {
    const opened = await openIncident(runtime, 'Checkout slow in one region', 'critical');
    await clock.advance(MINUTE);
    const lowered = await call<Incident>(runtime, 'POST', `/v1/incidents/${opened.id}/severity`, {
      severity: 'SEV4',
      by: 'primary-oncall',
    });
    expect(lowered.status).toBe(200);
    // SEV4's own ladder from the open time: its first step is behind us, so only what is ahead remains.
    expect(lowered.body.run.ladder?.steps.every((step) => step.index > 0)).toBe(true);
    await clock.advance(HOUR);
    walked(runtime, opened.id, `${opened.id}-r2`);
    const pages = await pagesFor(runtime, opened.id);
    // Lowered at minute 1, before SEV1's 5m step: SEV1's first page, then only SEV4's steps
    // ahead: its 10m step and the repeat's two, never its first.
    expect(pages.map((page) => [page.subject.slice(0, 6), page.responder])).toEqual([
      ['[SEV1]', 'primary-oncall'],
      ['[SEV4]', 'secondary-oncall'],
      ['[SEV4]', 'primary-oncall'],
      ['[SEV4]', 'secondary-oncall'],
    ]);
  });

  it('reassigning pages the new assignee at once', async () => {
    const opened = await openIncident(runtime, 'Search index lagging', 'warning');
    await clock.settle();
    const handed = await call<Incident>(runtime, 'POST', `/v1/incidents/${opened.id}/reassign`, {
      to: 'eng-manager',
      by: 'primary-oncall',
    });
    expect(handed.status).toBe(200);
    await clock.settle();
    const pages = await pagesFor(runtime, opened.id);
    expect(pages).toHaveLength(2);
    expect(pages[1]).toMatchObject({ responder: 'eng-manager' });
    expect(pages[1]?.sms).toContain('ASSIGNED TO YOU');
    expect(pages[1]?.email).toContain('INCIDENT ASSIGNED TO YOU');
    await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { note: 'done' });
  });
});

describe('re-planning, minutes into the ladder', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock, config: replanConfig() });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('a repeating ladder stops repeating once acknowledged', async () => {
    const opened = await openIncident(runtime, 'Footer misaligned', 'info');
    // Acknowledged within the first minute, well before the repeat at 20 minutes.
    await clock.advance(MINUTE);
    expect(
      (await call(runtime, 'POST', `/v1/incidents/${opened.id}/acknowledge`, { by: 'primary-oncall' })).status,
    ).toBe(200);
    await clock.advance(HOUR);
    const execution = walked(runtime, opened.id, `${opened.id}-r1`);
    expect(execution?.status).toBe('SUCCEEDED');
    // All four steps reached the page task; the repeat's two paged nobody.
    expect(execution?.statesEntered.filter((name) => name === 'Page the responders')).toHaveLength(4);
    const pages = await pagesFor(runtime, opened.id);
    // The first loop's 10m step is "unless resolved" and still pages; the repeat pages nobody.
    expect(pages.map((page) => page.responder)).toEqual(['primary-oncall', 'secondary-oncall']);
  });

  it('raising SEV3 to SEV1 at minute 40 pages at once, once, what SEV1 would have paged by now', async () => {
    const opened = await openIncident(runtime, 'Payments partially failing', 'warning');
    expect(opened.severity).toBe('SEV3');
    await clock.advance(40 * MINUTE);

    const raised = await call<Incident>(runtime, 'POST', `/v1/incidents/${opened.id}/severity`, {
      severity: 'SEV1',
      by: 'primary-oncall',
      reason: 'card payments affected',
    });
    expect(raised.status).toBe(200);
    // SEV1's 0, 5m and 30m steps fold into one step due now; 1h and 2h stay where SEV1 puts them.
    const [catchUp, ...ahead] = raised.body.run.ladder?.steps ?? [];
    expect(catchUp).toMatchObject({
      index: 2,
      notify: ['primary', 'secondary'],
      channels: ['sms', 'email'],
      reason: 'severity-raised',
    });
    expect(ahead.map((step) => [step.index, step.notify])).toEqual([
      [3, ['engineering-manager']],
      [4, ['executive']],
    ]);
    expect(ahead[0]?.dueAt).toBe(new Date(Date.parse(opened.openedAt) + 3_600_000).toISOString());

    await clock.settle();
    const pages = await pagesFor(runtime, opened.id);
    expect(pages.map((page) => [page.responder, page.sms?.slice(0, 4) ?? null])).toEqual([
      ['primary-oncall', null], // SEV3: email only
      ['primary-oncall', 'SEV1'],
      ['secondary-oncall', 'SEV1'],
    ]);
    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { note: 'rolled back' })).status).toBe(
      200,
    );
    await clock.advance(2 * HOUR);
    expect((await pagesFor(runtime, opened.id)).length).toBe(3);
  });
});
