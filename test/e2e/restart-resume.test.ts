/**
 * A local runtime restarted with `--data` in the middle of an incident: the incident and its
 * timeline come back from disk, and the ladder is re-planned from the stored incident, so the
 * next step still pages and no step taken before the restart is taken again (the page task
 * resolves roles to people at the time, so a replayed step would page whoever is on call now).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KlaxonConfig, parseConfig } from '../../lambdas/core/config.js';
import { ManualClock } from '../../local/clock.js';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventsV2DedupKey,
  incident,
  LOCAL_ROUTING_KEY,
  openIncident,
  outbox,
  pagesIn,
  testConfig,
} from '../support/local.js';

describe('restart with --data mid-incident', () => {
  const dirs: string[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-restart-'));
    dirs.push(dir);
    return dir;
  };
  const MINUTE = 60_000;
  // One clock across the restart, as the wall clock would be: SEV1's step 1 is due 5 minutes after open, step 2 30.
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
  });
  const start = (dataDir: string, config: KlaxonConfig = testConfig()) =>
    startLocalRuntime({ port: 0, dataDir, config, verbose: false, clock });
  /** The step indexes of the incident's running (re-planned) ladder, and their conditions. */
  const resumedPlan = (runtime: LocalRuntime, incidentId: string) => {
    const input = runtime.stepFunctions
      .list()
      .find((execution) => execution.input.incidentId === incidentId && execution.status === 'RUNNING')?.input;
    return input && 'steps' in input
      ? input.steps.map((step) => ({ index: step.index, unless: step.unless }))
      : undefined;
  };
  /** Moves the clock past step 2 (secondary-oncall, 30 minutes after open), then lists every page since the restart. */
  const pagesAfterStep2 = async (runtime: LocalRuntime, incidentId: string, openedAt: string) => {
    await clock.advanceTo(Date.parse(openedAt) + 30 * MINUTE);
    const entries = (await incident(runtime, incidentId)).timeline;
    expect(entries.filter((entry) => entry.type === 'paged' && entry.step === 2)).toHaveLength(1);
    return pagesIn(await outbox(runtime))
      .filter((page) => page.incidentId === incidentId)
      .map((page) => page.responder);
  };
  let runtime: LocalRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the incident and its timeline and re-plans the ladder, which pages the next step and repeats none', async () => {
    const dataDir = newDataDir();
    const before = await start(dataDir);
    runtime = before;
    const reply = await call(before, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'restart/mid-incident',
      payload: { summary: 'Restart drill', source: 'drill.local', severity: 'critical' },
    });
    expect(reply.status).toBe(202);
    const id = (await before.deps.store.findByDedupKey(eventsV2DedupKey(before, 'restart/mid-incident'))) ?? '';
    await clock.settle();
    expect(pagesIn(await outbox(before)).map((page) => page.responder)).toEqual(['primary-oncall']);
    const stored = await incident(before, id);
    await before.stop();
    await clock.advance(MINUTE);

    const after = await start(dataDir);
    runtime = after;
    const reloaded = await incident(after, id);
    expect(reloaded).toMatchObject({ id, status: 'open', severity: 'SEV1', openedAt: stored.openedAt });
    expect(reloaded.timeline.slice(0, stored.timeline.length)).toEqual(stored.timeline);
    expect(reloaded.timeline.map((entry) => entry.type)).toContain('escalation-resumed');
    expect(after.stepFunctions.list().map((execution) => execution.input.incidentId)).toContain(id);

    // Step 1, five minutes after open, is still ahead at the restart and pages the primary and the secondary.
    await clock.advanceTo(Date.parse(stored.openedAt) + 5 * MINUTE);
    const timeline = (await incident(after, id)).timeline;
    const pagedSteps = timeline
      .filter((entry) => entry.type === 'paged')
      .map((entry) => `${entry.step}:${entry.responder}`);
    expect(pagedSteps.sort()).toEqual(['0:primary-oncall', '1:primary-oncall', '1:secondary-oncall']);
    // Finding the incidents to resume is a Query on the status index, never a Scan of the table.
    expect(after.dynamodb.operationCounts.get('QueryCommand')).toBeGreaterThan(0);
    expect(after.dynamodb.operationCounts.get('ScanCommand') ?? 0).toBe(0);
  });

  it('does not page again a primary the first step reached by the email fallback, who has acknowledged', async () => {
    const dataDir = newDataDir();
    const before = await start(dataDir);
    runtime = before;
    expect(
      (await call(before, 'POST', '/_local/sns/failures', { responder: 'primary-oncall', channels: ['sms'] })).status,
    ).toBe(200);
    const opened = await openIncident(before, 'SMS spending limit reached', 'critical');
    await clock.settle();
    const timeline = (await incident(before, opened.id)).timeline;
    expect(
      timeline.filter((entry) => entry.type === 'paged').map((entry) => [entry.step, entry.responder, entry.channels]),
    ).toEqual([[0, 'primary-oncall', ['email']]]);
    // The primary got the email and acknowledges: step 1 (unless acknowledged) is moot.
    expect(
      (await call(before, 'POST', `/v1/incidents/${opened.id}/acknowledge`, { by: 'primary-oncall' })).status,
    ).toBe(200);
    await before.stop();
    await clock.advance(MINUTE);

    // The SMS limit is lifted meanwhile (a new runtime); it restarts a minute after open, before
    // step 1. start() returns once the ladder is re-planned: step 0 is not in it, and step 1 only
    // pages unless acknowledged (which the incident is).
    const after = await start(dataDir);
    runtime = after;
    expect(resumedPlan(after, opened.id)).toEqual([
      { index: 1, unless: 'acknowledged' },
      { index: 2, unless: 'resolved' },
      { index: 3, unless: 'resolved' },
      { index: 4, unless: 'resolved' },
    ]);
    // The first page after the restart is step 2's, to the secondary: the primary is not paged again.
    expect(await pagesAfterStep2(after, opened.id, opened.openedAt)).toEqual(['secondary-oncall']);
  });

  it('does not page the person who took over on-call while it was down once per step already taken', async () => {
    const dataDir = newDataDir();
    const before = await start(dataDir);
    runtime = before;
    const opened = await openIncident(before, 'Checkout down', 'critical');
    await clock.advance(5 * MINUTE);
    const paged = (await incident(before, opened.id)).timeline.filter((entry) => entry.type === 'paged');
    expect(paged.map((entry) => `${entry.step}:${entry.responder}`)).toEqual([
      '0:primary-oncall',
      '1:primary-oncall',
      '1:secondary-oncall',
    ]);
    await before.stop();
    await clock.advance(MINUTE);

    // A handoff while the runtime was down: eng-manager covers the primary role from now on.
    const base = testConfig();
    const [team, ...others] = base.teams;
    const handedOff = parseConfig({
      ...base,
      severityPolicy: {},
      teams: [
        {
          ...team,
          overrides: [
            {
              role: 'primary',
              responder: 'eng-manager',
              from: new Date(clock.now().getTime() - 1_000).toISOString(),
              to: new Date(clock.now().getTime() + 3_600_000).toISOString(),
            },
          ],
        },
        ...others,
      ],
    });
    const after = await start(dataDir, handedOff);
    runtime = after;
    // Steps 0 and 1 were taken before the restart: the re-planned ladder (in place once start()
    // returns) holds only the steps ahead, from step 2 (the secondary, 30 minutes after open).
    expect(resumedPlan(after, opened.id)?.map((step) => step.index)).toEqual([2, 3, 4]);
    // Step 2 pages the secondary, and eng-manager (primary now) was paged for no step already taken.
    expect(await pagesAfterStep2(after, opened.id, opened.openedAt)).toEqual(['secondary-oncall']);
  });
});
