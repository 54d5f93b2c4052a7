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
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventsV2DedupKey,
  eventually,
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
  // SEV1 at 120x: step 1 (5m) is due 2.5 s after open, step 2 (30m) 15 s after.
  const start = (dataDir: string, config: KlaxonConfig = testConfig()) =>
    startLocalRuntime({ port: 0, timeScale: 120, dataDir, config, verbose: false });
  /** The step indexes of the incident's running (re-planned) ladder, and their conditions. */
  const resumedPlan = (runtime: LocalRuntime, incidentId: string) => {
    const input = runtime.stepFunctions
      .list()
      .find((execution) => execution.input.incidentId === incidentId && execution.status === 'RUNNING')?.input;
    return input && 'steps' in input
      ? input.steps.map((step) => ({ index: step.index, unless: step.unless }))
      : undefined;
  };
  /** Waits for the step 2 page (secondary-oncall, 15 s after open), then lists every page since the restart. */
  const pagesAfterStep2 = async (runtime: LocalRuntime, incidentId: string) => {
    await eventually(async () => {
      const entries = (await incident(runtime, incidentId)).timeline;
      return entries.some((entry) => entry.type === 'paged' && entry.step === 2) || undefined;
    }, 'step 2 paging secondary-oncall after the restart');
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
    await eventually(
      async () => pagesIn(await outbox(before)).find((page) => page.incidentId === id),
      'the first step paging primary-oncall',
    );
    const stored = await incident(before, id);
    await before.stop();

    const after = await start(dataDir);
    runtime = after;
    const reloaded = await incident(after, id);
    expect(reloaded).toMatchObject({ id, status: 'open', severity: 'SEV1', openedAt: stored.openedAt });
    expect(reloaded.timeline.slice(0, stored.timeline.length)).toEqual(stored.timeline);
    expect(reloaded.timeline.map((entry) => entry.type)).toContain('escalation-resumed');
    expect(after.stepFunctions.list().map((execution) => execution.input.incidentId)).toContain(id);

    // The timeline entry is written after the publish: wait for it, not for the outbox.
    const timeline = await eventually(async () => {
      const entries = (await incident(after, id)).timeline;
      return entries.some((entry) => entry.type === 'paged' && entry.responder === 'secondary-oncall')
        ? entries
        : undefined;
    }, 'the second step paging secondary-oncall after the restart');
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
    const timeline = await eventually(async () => {
      const entries = (await incident(before, opened.id)).timeline;
      return entries.some((entry) => entry.type === 'paged' && entry.fallbackFor === 'primary-oncall')
        ? entries
        : undefined;
    }, 'the email fallback to primary-oncall');
    expect(
      timeline.filter((entry) => entry.type === 'paged').map((entry) => [entry.step, entry.responder, entry.channels]),
    ).toEqual([[0, 'primary-oncall', ['email']]]);
    // The primary got the email and acknowledges: step 1 (unless acknowledged) is moot.
    expect(
      (await call(before, 'POST', `/v1/incidents/${opened.id}/acknowledge`, { by: 'primary-oncall' })).status,
    ).toBe(200);
    await before.stop();

    // The SMS limit is lifted meanwhile (a new runtime); it restarts well before step 2 (secondary, 15 s).
    // start() returns once the ladder is re-planned: step 0 is not in it, and step 1, if it is not
    // past yet, only pages unless acknowledged (which the incident is).
    const after = await start(dataDir);
    runtime = after;
    const plan = resumedPlan(after, opened.id);
    expect(plan?.map((step) => step.index)).toEqual(expect.arrayContaining([2, 3, 4]));
    expect(plan?.filter((step) => step.index < 2)).toEqual(
      plan?.some((step) => step.index === 1) ? [{ index: 1, unless: 'acknowledged' }] : [],
    );
    // The first page after the restart is step 2's, to the secondary: the primary is not paged again.
    expect(await pagesAfterStep2(after, opened.id)).toEqual(['secondary-oncall']);
  }, 60_000);

  it('does not page the person who took over on-call while it was down once per step already taken', async () => {
    const dataDir = newDataDir();
    const before = await start(dataDir);
    runtime = before;
    const opened = await openIncident(before, 'Checkout down', 'critical');
    await eventually(async () => {
      const entries = (await incident(before, opened.id)).timeline;
      return (
        entries.some((entry) => entry.type === 'paged' && entry.step === 1 && entry.responder === 'secondary-oncall') ||
        undefined
      );
    }, 'step 1 paging the primary and the secondary');
    await before.stop();

    // A handoff while the runtime was down: eng-manager covers the primary role from now on.
    const base = testConfig();
    const handedOff = parseConfig({
      ...base,
      severityPolicy: {},
      overrides: [
        {
          role: 'primary',
          responder: 'eng-manager',
          from: new Date(Date.now() - 1_000).toISOString(),
          to: new Date(Date.now() + 3_600_000).toISOString(),
        },
      ],
    });
    const after = await start(dataDir, handedOff);
    runtime = after;
    // Steps 0 and 1 were taken before the restart: the re-planned ladder (in place once start()
    // returns) holds only the steps ahead, from step 2 (the secondary, 15 s after open).
    expect(resumedPlan(after, opened.id)?.map((step) => step.index)).toEqual([2, 3, 4]);
    // Step 2 pages the secondary, and eng-manager (primary now) was paged for no step already taken.
    expect(await pagesAfterStep2(after, opened.id)).toEqual(['secondary-oncall']);
  }, 60_000);
});
