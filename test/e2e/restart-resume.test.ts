/**
 * A local runtime restarted with `--data` in the middle of an incident: the incident and its
 * timeline come back from disk, and the ladder is re-planned from the stored incident, so the
 * next step still pages and no step pages anyone twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventsV2DedupKey,
  eventually,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  testConfig,
} from '../support/local.js';

describe('restart with --data mid-incident', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'klaxon-restart-'));
  // SEV1's second step is due 5 minutes after open: 2.5 seconds at this scale.
  const start = () => startLocalRuntime({ port: 0, timeScale: 120, dataDir, config: testConfig(), verbose: false });
  let runtime: LocalRuntime | undefined;
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the incident and its timeline and re-plans the ladder, which pages the next step and repeats none', async () => {
    const before = await start();
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

    const after = await start();
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
});
