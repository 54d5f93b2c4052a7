/** One ladder step's pages: who gets them, what is skipped, and retries that never page twice. */

import { dynamoIncidentStore } from '../../lambdas/adapters/dynamo-incident-store.js';
import { dynamoOverrides } from '../../lambdas/adapters/dynamo-overrides.js';
import { systemClock } from '../../lambdas/adapters/system.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { EscalationStep } from '../../lambdas/core/ladder.js';
import { PageDeliveryError, pageAfterDeliveryFailure, pageStep } from '../../lambdas/core/paging.js';
import type { Pager, PagingDeps } from '../../lambdas/core/ports.js';
import { noticeResolution } from '../../lambdas/core/resolution-notice.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { Outbox } from '../../local/outbox.js';
import { aLaterRun, anIncident } from '../support/incidents.js';
import { testConfig } from '../support/local.js';

const step: EscalationStep = {
  index: 1,
  dueAt: '2026-11-20T10:20:00.000Z',
  afterSeconds: 300,
  notify: ['primary', 'secondary'],
  channels: ['sms', 'email'],
  unless: 'acknowledged',
  run: 1,
};

describe('paging a ladder step', () => {
  let dynamo: LocalDynamoDb;
  let outbox: Outbox;
  let deps: PagingDeps;
  const failing = new Set<string>();

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'paging-test' });
    outbox = new Outbox(() => undefined);
    const delivered = outbox.pager();
    const pager: Pager = {
      page: async (delivery) => {
        if (failing.has(delivery.responder.id)) throw new Error('SNS throttled');
        await delivered.page(delivery);
      },
    };
    deps = {
      config: testConfig(),
      store: dynamoIncidentStore(dynamo.client, 'paging-test'),
      overrides: dynamoOverrides(dynamo.client, 'paging-test'),
      pager,
      events: outbox.publisher(),
      clock: systemClock,
      apiBaseUrl: 'http://localhost:3000',
    };
  });
  // A test that fails half-way must not leave its unreachable people to the next ones.
  afterEach(() => failing.clear());
  afterAll(async () => {
    await dynamo.close();
  });

  const open = async (id: string, changes: Partial<Incident> = {}) => {
    await deps.store.createIncident(anIncident({ id, ...changes }));
    return id;
  };
  /** An incident resolved in run `number`, whose episode run `episode` opened. */
  const resolvedIn = (id: string, number: number, episode: number, resolvedAt: string) =>
    open(id, { status: 'resolved', resolvedAt, run: aLaterRun(anIncident({ id }), { number, episode }) });
  const pagedFor = (id: string) =>
    outbox
      .pages()
      .filter((page) => page.incidentId === id)
      .map((page) => page.responder);

  it('pages each person the step names, by the step channels, and records it on the timeline', async () => {
    const id = await open('P1');
    expect(await pageStep(deps, { incidentId: id, step })).toEqual({
      paged: ['primary-oncall', 'secondary-oncall'],
      resolved: false,
    });
    expect(pagedFor(id)).toEqual(['primary-oncall', 'secondary-oncall']);
    const timeline = (await deps.store.getIncidentWithTimeline(id))?.timeline ?? [];
    expect(timeline.filter((entry) => entry.type === 'paged').map((entry) => entry.responder)).toEqual([
      'primary-oncall',
      'secondary-oncall',
    ]);
  });

  it('marks the incident escalated when a step after the first pages, and not for the first step', async () => {
    const escalated = await open('P5');
    await pageStep(deps, { incidentId: escalated, step });
    expect((await deps.store.getIncident(escalated))?.escalatedAt).toEqual(expect.any(String));
    const first = await open('P6');
    await pageStep(deps, { incidentId: first, step: { ...step, index: 0 } });
    expect((await deps.store.getIncident(first))?.escalatedAt).toBeUndefined();
  });

  it('skips an "unless acknowledged" step once acknowledged, and any step once resolved, saying so to end the ladder', async () => {
    const acked = await open('P2', { status: 'acknowledged' });
    expect(await pageStep(deps, { incidentId: acked, step })).toEqual({
      paged: [],
      resolved: false,
      skipped: 'incident acknowledged',
    });
    const resolved = await open('P3', { status: 'resolved' });
    expect(await pageStep(deps, { incidentId: resolved, step: { ...step, unless: 'resolved' } })).toEqual({
      paged: [],
      resolved: true,
      skipped: 'incident resolved',
    });
    expect([...pagedFor(acked), ...pagedFor(resolved)]).toEqual([]);
  });

  describe('a page End User Messaging could not deliver, after a re-plan', () => {
    // A re-plan keeps the step it owes in the stopped run (replan.ts): its pages are keyed as that
    // run's, and so is the page reference its SMS carries.
    const owed: EscalationStep = { ...step, notify: ['primary'], run: 1 };
    const replanned = async (id: string, steps: EscalationStep[]) => {
      const run = aLaterRun(anIncident({ id }), { number: 2 });
      if (!run.ladder) throw new Error('run 2 has a ladder');
      return open(id, { run: { ...run, ladder: { ...run.ladder, steps } } });
    };
    const failure = (id: string, run: number) => ({
      page: { incidentId: id, run, step: owed.index, responder: 'primary-oncall', channels: owed.channels },
      channel: 'sms' as const,
      messageId: `m-${id}`,
      reason: 'TEXT_CARRIER_UNREACHABLE',
    });

    it('falls back for the step the new ladder took over', async () => {
      const id = await replanned('P-owed', [owed]);
      expect(await pageAfterDeliveryFailure(deps, failure(id, 1))).toEqual({ paged: ['secondary-oncall'] });
      expect(pagedFor(id)).toEqual(['secondary-oncall']);
    });

    it('pages nobody for a step of the stopped run that the new ladder plans afresh', async () => {
      const id = await replanned('P-replaced', [{ ...owed, run: 2 }]);
      expect(await pageAfterDeliveryFailure(deps, failure(id, 1))).toEqual({
        paged: [],
        skipped: 'run 1 was replaced by run 2',
      });
      expect(pagedFor(id)).toEqual([]);
    });
  });

  it('fails the task when a publish fails, and the retry pages only who was missed', async () => {
    const id = await open('P4');
    failing.add('secondary-oncall');
    await expect(pageStep(deps, { incidentId: id, step })).rejects.toThrow(PageDeliveryError);
    expect(pagedFor(id)).toEqual(['primary-oncall']);
    failing.clear();
    expect(await pageStep(deps, { incidentId: id, step })).toEqual({ paged: ['secondary-oncall'], resolved: false });
    expect(pagedFor(id)).toEqual(['primary-oncall', 'secondary-oncall']);
  });

  it('after retries ran out, pages the backup role instead, and fails only when nobody can be reached', async () => {
    const id = await open('P7');
    failing.add('primary-oncall');
    const primaryStep: EscalationStep = { ...step, index: 0, notify: ['primary'], unless: 'resolved' };
    expect(
      await pageStep(deps, { incidentId: id, step: primaryStep, fallback: true, failure: 'SNS throttled' }),
    ).toEqual({ paged: ['secondary-oncall'], resolved: false, failed: ['primary-oncall'] });
    // A retried fallback pages nobody twice.
    await pageStep(deps, { incidentId: id, step: primaryStep, fallback: true });
    expect(pagedFor(id)).toEqual(['secondary-oncall']);
    const timeline = (await deps.store.getIncidentWithTimeline(id))?.timeline ?? [];
    expect(timeline.filter((entry) => entry.type === 'page-failed')).toEqual([
      expect.objectContaining({ responder: 'primary-oncall', message: expect.stringContaining('SNS throttled') }),
    ]);

    failing.add('executive');
    const executiveStep: EscalationStep = { ...primaryStep, index: 4, notify: ['executive'] };
    await expect(pageStep(deps, { incidentId: id, step: executiveStep, fallback: true })).rejects.toThrow(
      'Nobody could be reached in place of executive',
    );
    // Before the error (which the state machine catches, and the error alarm reports): the console says so.
    const after = (await deps.store.getIncidentWithTimeline(id))?.timeline ?? [];
    expect(after.filter((entry) => entry.type === 'unreachable')).toEqual([
      expect.objectContaining({
        responder: 'executive',
        step: 4,
        message: expect.stringContaining('The ladder goes on'),
      }),
    ]);
  });

  it('when the primary cannot be reached at a step that already paged the secondary, the engineering manager is paged instead, and the secondary only once', async () => {
    const id = await open('P10');
    failing.add('primary-oncall');
    // The page task pages the secondary and fails for the primary, through all its retries.
    await expect(pageStep(deps, { incidentId: id, step })).rejects.toThrow(PageDeliveryError);
    await expect(pageStep(deps, { incidentId: id, step })).rejects.toThrow(PageDeliveryError);
    expect(await pageStep(deps, { incidentId: id, step, fallback: true, failure: 'SNS throttled' })).toEqual({
      paged: ['eng-manager'],
      resolved: false,
      failed: ['primary-oncall'],
    });
    // A retried fallback pages nobody twice.
    await pageStep(deps, { incidentId: id, step, fallback: true });
    expect(pagedFor(id)).toEqual(['secondary-oncall', 'eng-manager']);
    const timeline = (await deps.store.getIncidentWithTimeline(id))?.timeline ?? [];
    expect(timeline.filter((entry) => entry.type === 'paged' && entry.fallbackFor)).toEqual([
      expect.objectContaining({ responder: 'eng-manager', fallbackFor: 'primary-oncall', step: 1 }),
    ]);
  });

  it('when the primary and the secondary are both unreachable, each gets a stand-in further up the chain, never the same one twice', async () => {
    const id = await open('P11');
    failing.add('primary-oncall');
    failing.add('secondary-oncall');
    await expect(pageStep(deps, { incidentId: id, step })).rejects.toThrow(PageDeliveryError);
    expect(await pageStep(deps, { incidentId: id, step, fallback: true })).toEqual({
      paged: ['eng-manager', 'executive'],
      resolved: false,
      failed: ['primary-oncall', 'secondary-oncall'],
    });
    expect(pagedFor(id)).toEqual(['eng-manager', 'executive']);
  });

  it("after retries ran out for a reassigned incident's new assignee, records it and pages the primary on call instead", async () => {
    const id = await open('P8');
    failing.add('eng-manager');
    const reassignStep: EscalationStep = {
      ...step,
      index: 0,
      notify: [],
      responders: ['eng-manager'],
      unless: 'resolved',
      reason: 'reassigned',
      run: 2,
    };
    expect(
      await pageStep(deps, { incidentId: id, step: reassignStep, fallback: true, failure: 'SNS throttled' }),
    ).toEqual({ paged: ['primary-oncall'], resolved: false, failed: ['eng-manager'] });
    const timeline = (await deps.store.getIncidentWithTimeline(id))?.timeline ?? [];
    expect(timeline.filter((entry) => entry.type === 'page-failed')).toEqual([
      expect.objectContaining({ responder: 'eng-manager', message: expect.stringContaining('(assignee)') }),
    ]);
    expect(timeline.filter((entry) => entry.type === 'paged')).toEqual([
      expect.objectContaining({ responder: 'primary-oncall', fallbackFor: 'eng-manager' }),
    ]);
  });

  describe('the resolution notice of a reopened incident', () => {
    const at = '2026-11-20T10:20:00.000Z';
    const paged = (id: string, key: string, responder: string, step: number) =>
      deps.store.appendTimeline(id, key, {
        at,
        type: 'paged',
        by: 'klaxon',
        responder,
        channels: ['sms', 'email'],
        step,
        message: 'Paged',
      });
    const toldBefore = (id: string, run: number, responder: string) =>
      deps.store.appendTimeline(id, `resolution-notice#r${run}#${responder}`, {
        at,
        type: 'resolution-notice',
        by: 'klaxon',
        responder,
        channels: ['sms', 'email'],
        message: 'Told',
      });

    it('tells only those paged since the reopen, not the executive paged (and told) before it', async () => {
      const id = await resolvedIn('R1', 2, 2, at);
      // Run 1 went all the way to the executive, and its resolution told everyone.
      await paged(id, 'paged#r1#0#primary-oncall', 'primary-oncall', 0);
      await paged(id, 'paged#r1#4#executive', 'executive', 4);
      await toldBefore(id, 1, 'primary-oncall');
      await toldBefore(id, 1, 'executive');
      // Run 2 (the reopen) paged the primary only, who resolved it again.
      await paged(id, 'paged#r2#0#primary-oncall', 'primary-oncall', 0);
      expect((await noticeResolution(deps, { incidentId: id, run: 2 })).notified).toEqual(['primary-oncall']);
    });

    it('tells whoever was paged in any run since the reopen, when an "escalate now" re-planned it after the reopen', async () => {
      const id = await resolvedIn('R2', 3, 2, at);
      await paged(id, 'paged#r1#4#executive', 'executive', 4);
      await toldBefore(id, 1, 'executive');
      // Run 2 (the reopen) paged the primary; run 3 (escalated by hand) the secondary.
      await paged(id, 'paged#r2#0#primary-oncall', 'primary-oncall', 0);
      await paged(id, 'paged#r3#0#secondary-oncall', 'secondary-oncall', 0);
      expect((await noticeResolution(deps, { incidentId: id, run: 2 })).notified.sort()).toEqual([
        'primary-oncall',
        'secondary-oncall',
      ]);
    });

    it('tells everyone paged by every run of an incident never reopened', async () => {
      const id = await resolvedIn('R3', 2, 1, at);
      await paged(id, 'paged#r1#0#primary-oncall', 'primary-oncall', 0);
      await paged(id, 'paged#r2#0#eng-manager', 'eng-manager', 0);
      expect((await noticeResolution(deps, { incidentId: id, run: 1 })).notified.sort()).toEqual([
        'eng-manager',
        'primary-oncall',
      ]);
    });
  });

  it('a re-planned run falls back again for someone an earlier run already fell back for', async () => {
    const id = await open('P9');
    failing.add('primary-oncall');
    const firstRun: EscalationStep = { ...step, index: 0, notify: ['primary'], unless: 'resolved' };
    await pageStep(deps, { incidentId: id, step: firstRun, fallback: true });
    // Reopened (run 2): primary's SMS and email fail again; the secondary must hear of it again.
    expect(await pageStep(deps, { incidentId: id, step: { ...firstRun, run: 2 }, fallback: true })).toEqual({
      paged: ['secondary-oncall'],
      resolved: false,
      failed: ['primary-oncall'],
    });
    expect(pagedFor(id)).toEqual(['secondary-oncall', 'secondary-oncall']);
    const timeline = (await deps.store.getIncidentWithTimeline(id))?.timeline ?? [];
    expect(timeline.filter((entry) => entry.type === 'page-failed')).toHaveLength(2);
  });
});
