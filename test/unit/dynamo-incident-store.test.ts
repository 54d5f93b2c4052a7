/** The store's conditional writes against dynalite, under the races intake and responders create. */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoIncidentStore } from '../../lambdas/adapters/dynamo-incident-store.js';
import { encodeListCursor } from '../../lambdas/adapters/incident-queries.js';
import { incidentKey } from '../../lambdas/adapters/table-layout.js';
import type { AlertGroup } from '../../lambdas/core/alert.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { type IncidentStore, InvalidCursorError } from '../../lambdas/core/ports.js';
import { nextRun, type Run, runExecutionName } from '../../lambdas/core/runs.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { anIncident } from '../support/incidents.js';

const incident = (id: string, changes: Partial<Incident> = {}) =>
  anIncident({ id, dedupKey: `key-${id}`, source: 'events-v2', severity: 'SEV2', ...changes });

/** The run an alert coming back after the resolution starts: a new episode, its ladder planned from the reopening. */
const reopening = ({ id, severity, run }: Incident): Run => {
  const at = '2026-11-20T12:00:00.000Z';
  return nextRun(run, 'reopened', {
    by: 'alarm:events-v2',
    at,
    ladder: { incidentId: id, severity, openedAt: at, steps: [], executionName: runExecutionName(id, run.number + 1) },
  });
};

describe('DynamoDB incident store', () => {
  let dynamo: LocalDynamoDb;
  let store: IncidentStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'store-test' });
    store = dynamoIncidentStore(dynamo.client, 'store-test');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('gives a dedup key to exactly one of 25 concurrent claimants, and tells the others who won', async () => {
    const claims = await Promise.all(
      Array.from({ length: 25 }, (_, i) => store.claimDedupKey('events-v2:race', `candidate-${i}`, 'now')),
    );
    const winners = claims.flatMap((claim, i) => (claim.claimed ? [`candidate-${i}`] : []));
    expect(winners).toHaveLength(1);
    const losers = claims.flatMap((claim) => ('incidentId' in claim ? [claim.incidentId] : []));
    expect(losers).toEqual(Array(24).fill(winners[0]));
  });

  it('allots 25 concurrent incident numbers once each, in sequence, and finds an incident by its number', async () => {
    const numbers = await Promise.all(Array.from({ length: 25 }, () => store.allotIncidentNumber()));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    await store.createIncident(incident('numbered', { number: 7 }));
    expect((await store.findByNumber(7))?.id).toBe('numbered');
    expect(await store.findByNumber(8)).toBeUndefined();
    // An opening that lost its race to another writer of the same id names nothing with its number.
    await store.createIncident(incident('numbered', { number: 9 }));
    expect(await store.findByNumber(9)).toBeUndefined();
  });

  it('frees a dedup key only for the incident it points at', async () => {
    await store.claimDedupKey('events-v2:release', 'mine', 'now');
    await store.releaseDedupKey('events-v2:release', 'someone-else', 1);
    expect(await store.findByDedupKey('events-v2:release')).toBe('mine');
    await store.releaseDedupKey('events-v2:release', 'mine', 1);
    expect(await store.findByDedupKey('events-v2:release')).toBeUndefined();
  });

  it("keeps a dedup key a reopen holds for a later episode from the release of an earlier episode's resolution", async () => {
    await store.claimDedupKey('cloudwatch:held', 'flapper', 'now');
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'someone-else', 2)).toBe(false);
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 2)).toBe(true);
    // A retried reopen holds it again; a stale one for an earlier episode does not take it back.
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 2)).toBe(true);
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 1)).toBe(false);
    await store.releaseDedupKey('cloudwatch:held', 'flapper', 1);
    expect(await store.findByDedupKey('cloudwatch:held')).toBe('flapper');
    await store.releaseDedupKey('cloudwatch:held', 'flapper', 2);
    expect(await store.findByDedupKey('cloudwatch:held')).toBeUndefined();
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 3)).toBe(false);
  });

  it("records an Alertmanager group's latest notification, and an older one arriving late changes nothing", async () => {
    const group = (firing: number, receivedAt: string): AlertGroup => ({
      groupKey: '{}:{alertname="NodeDown"}',
      status: 'firing',
      firing,
      resolved: 0,
      truncatedAlerts: 0,
      groupLabels: { alertname: 'NodeDown' },
      commonLabels: { alertname: 'NodeDown' },
      alerts: [],
      moreAlerts: firing,
      receivedAt,
    });
    await store.createIncident(incident('AM1', { alertGroup: group(1, '2026-11-20T10:00:00.000Z') }));
    const newer = await store.recordAlertGroup('AM1', group(5, '2026-11-20T10:05:00.000Z'), '[FIRING:5] NodeDown');
    expect(newer).toMatchObject({ title: '[FIRING:5] NodeDown', alertGroup: { firing: 5 } });
    expect(await store.recordAlertGroup('AM1', group(3, '2026-11-20T10:03:00.000Z'), '[FIRING:3] NodeDown')).toBe(
      undefined,
    );
    expect(await store.getIncident('AM1')).toMatchObject({ title: '[FIRING:5] NodeDown', alertGroup: { firing: 5 } });
    expect(await store.recordAlertGroup('missing', group(1, '2026-11-20T10:06:00.000Z'), 'x')).toBe(undefined);
  });

  it('keeps the first write of an incident and says the second did not write', async () => {
    expect(await store.createIncident(incident('A1', { title: 'first' }))).toMatchObject({ created: true });
    const second = await store.createIncident(incident('A1', { title: 'second' }));
    expect(second.created).toBe(false);
    expect(second.incident.title).toBe('first');
  });

  it('applies a transition only from the expected status', async () => {
    const { incident: t1 } = await store.createIncident(incident('T1'));
    const episode = { episode: 1 };
    const acked = await store.transition(t1, ['open'], { status: 'acknowledged', acknowledgedBy: 'sam' }, episode);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'sam' });
    expect(
      await store.transition(t1, ['open'], { status: 'acknowledged', acknowledgedBy: 'priya' }, episode),
    ).toBeUndefined();
    expect(await store.transition(incident('missing'), ['open'], { status: 'resolved' }, episode)).toBeUndefined();
    const listed = await store.listByStatus('acknowledged', { limit: 10 });
    expect(listed.incidents.map((item) => item.id)).toContain('T1');
    expect((await store.listByStatus('open', { limit: 100 })).incidents.map((item) => item.id)).not.toContain('T1');
  });

  it('applies a transition only to the episode or run it was decided on: a reopen in between refuses it', async () => {
    const { incident: run1 } = await store.createIncident(incident('RUN1'));
    expect(await store.transition(run1, ['open'], { status: 'resolved' }, { episode: 2 })).toBeUndefined();
    expect(await store.transition(run1, ['open'], { status: 'resolved' }, { episode: 1 })).toMatchObject({
      status: 'resolved',
    });
    await store.transition(run1, ['resolved'], { status: 'open', run: reopening(run1) }, { episode: 1 });
    // A resolve decided in episode 1 lands on nothing, and so does a re-plan decided on run 1.
    expect(await store.transition(run1, ['open'], { status: 'resolved' }, { episode: 1 })).toBeUndefined();
    expect(await store.transition(run1, ['open'], { assignee: 'sam' }, { run: 1 })).toBeUndefined();
    expect(await store.transition(run1, ['open'], { assignee: 'sam' }, { run: 2 })).toMatchObject({ assignee: 'sam' });
    expect(await store.transition(run1, ['open'], { status: 'resolved' }, { episode: 2 })).toMatchObject({
      status: 'resolved',
      run: { number: 2, episode: 2 },
    });
  });

  it('takes a cursor only for the listing it came from, and a key altered to fit the query as invalid, not a storage failure', async () => {
    await store.createIncident(incident('C1'));
    await store.createIncident(incident('C2'));
    const first = await store.listByStatus('open', { limit: 1 });
    await expect(store.listByStatus('open', { limit: 1, cursor: first.next })).resolves.toBeDefined();
    await expect(store.listByStatus('resolved', { limit: 1, cursor: first.next })).rejects.toThrow(
      'belongs to another query',
    );
    await expect(store.listByStatus('open', { limit: 1, cursor: first.next, service: 'orders' })).rejects.toThrow(
      InvalidCursorError,
    );
    // The query it names is this one, but the key is another status's: DynamoDB's refusal is the cursor's fault.
    const forged = encodeListCursor(
      'open',
      {},
      { pk: 'INCIDENT#C1', sk: 'INCIDENT', gsi1pk: 'STATUS#resolved', gsi1sk: 'x' },
    );
    await expect(store.listByStatus('open', { limit: 1, cursor: forged })).rejects.toThrow(InvalidCursorError);
  });

  it('clears the fields a transition sets to undefined: a reopened incident is no longer resolved', async () => {
    const { incident: ro1 } = await store.createIncident(incident('RO1'));
    await store.transition(
      ro1,
      ['open'],
      { status: 'resolved', resolvedAt: '2026-11-20T11:00:00.000Z', resolvedBy: 'sam' },
      { episode: 1 },
    );
    const reopened = await store.transition(
      ro1,
      ['resolved'],
      { status: 'open', run: reopening(ro1), resolvedAt: undefined, resolvedBy: undefined },
      { episode: 1 },
    );
    expect(reopened).toMatchObject({ status: 'open', run: { episode: 2 } });
    expect(reopened).not.toHaveProperty('resolvedAt');
    expect(reopened).not.toHaveProperty('resolvedBy');
    const stored = await store.getIncident('RO1');
    expect(stored).not.toHaveProperty('resolvedAt');
    expect(stored).not.toHaveProperty('resolvedBy');
  });

  it('reads the timeline entries under one key prefix only', async () => {
    await store.createIncident(incident('TP1'));
    await store.appendTimeline('TP1', 'note#b', { at: '2026-11-20T10:20:00.000Z', type: 'note', message: 'b' });
    await store.appendTimeline('TP1', 'note#a', { at: '2026-11-20T10:25:00.000Z', type: 'note', message: 'a' });
    await store.appendTimeline('TP1', 'notes-elsewhere', { at: '2026-11-20T10:30:00.000Z', type: 'alert' });
    await store.appendTimeline('TP1', 'opened', { at: '2026-11-20T10:15:00.000Z', type: 'opened' });
    const notes = await store.timelineEntries('TP1', 'note#');
    expect(notes.map((entry) => entry.message)).toEqual(['a', 'b']);
    expect(await store.timelineEntries('TP1', 'reminded#')).toEqual([]);
  });

  it("records when a run's execution was first seen started, and only on that run", async () => {
    const { incident: l1 } = await store.createIncident(incident('L1'));
    await store.markRunStarted('L1', 1, '2026-11-20T13:01:00.000Z');
    await store.markRunStarted('L1', 1, '2026-11-20T13:02:00.000Z');
    expect((await store.getIncident('L1'))?.run).toMatchObject({ number: 1, startedAt: '2026-11-20T13:01:00.000Z' });
    // A start seen late, after a reopen decided run 2, is not taken for run 2's.
    await store.transition(l1, ['open'], { run: reopening(l1) }, { run: 1 });
    await store.markRunStarted('L1', 1, '2026-11-20T13:03:00.000Z');
    expect((await store.getIncident('L1'))?.run).not.toHaveProperty('startedAt');
  });

  it('writes a timeline entry once per key, and counts a repeated alert once per delivery', async () => {
    await store.createIncident(incident('R1'));
    expect(
      await store.appendTimeline('R1', 'note#1', { at: '2026-11-20T10:05:00.000Z', type: 'note', message: 'a' }),
    ).toBe(true);
    expect(
      await store.appendTimeline('R1', 'note#1', { at: '2026-11-20T10:06:00.000Z', type: 'note', message: 'b' }),
    ).toBe(false);
    const repeat = (deliveryId: string) =>
      store.countRepeat(
        'R1',
        { deliveryId, at: '2026-11-20T10:07:00.000Z', summary: 'again' },
        { whileWalking: false },
      );
    expect(await repeat('sns-message-1')).toMatchObject({ counted: true, incident: { alertCount: 2 } });
    expect(await repeat('sns-message-1')).toMatchObject({ counted: false, before: true, incident: { alertCount: 2 } });
    expect(await repeat('sns-message-2')).toMatchObject({ counted: true });
    const shown = await store.getIncidentWithTimeline('R1');
    expect(shown?.alertCount).toBe(3);
    expect(shown?.timeline.map((entry) => entry.message)).toEqual([
      'a',
      'Alert repeated: again',
      'Alert repeated: again',
    ]);
    expect(await store.hasTimelineEntry('R1', 'note#1')).toBe(true);
    expect(await store.hasTimelineEntry('R1', 'note#2')).toBe(false);
  });

  it('counts every repeat, each delivery once while it is among the latest, and keeps only the latest on the incident', async () => {
    await store.createIncident(incident('R2'));
    const repeat = (deliveryId: string, i: number) =>
      store.countRepeat(
        'R2',
        { deliveryId, at: `2026-11-20T10:${String(10 + i).padStart(2, '0')}:00.000Z`, summary: deliveryId },
        { whileWalking: false },
      );
    for (let i = 0; i < 40; i++) await repeat(`other-${i}`, i);
    // A redelivery of a recent one is not counted again.
    expect(await repeat('other-39', 40)).toMatchObject({ counted: false, before: true });
    const shown = await store.getIncidentWithTimeline('R2');
    expect(shown?.alertCount).toBe(1 + 40);
    expect(shown).not.toHaveProperty('countedDeliveries');
    expect(shown).not.toHaveProperty('recentAlerts');
    // The timeline shows the latest repeats, not every one (a noisy alarm must not bury it).
    const shownRepeats = shown?.timeline.filter((entry) => entry.type === 'alert') ?? [];
    expect(shownRepeats.length).toBeLessThanOrEqual(15);
    expect(shownRepeats.at(-1)).toMatchObject({ message: 'Alert repeated: other-39', deliveryId: 'other-39' });
    // The ids it keeps to tell a counted delivery stay few, however many repeats come.
    const { Item } = await DynamoDBDocumentClient.from(dynamo.client).send(
      new GetCommand({ TableName: 'store-test', Key: incidentKey('R2') }),
    );
    expect((Item?.countedDeliveries as unknown[] | undefined)?.length).toBeLessThanOrEqual(48);
    expect((Item?.recentAlerts as unknown[] | undefined)?.length).toBeLessThanOrEqual(15);
  });

  it('counts a plain repeat in one write only while the ladder walks, and says why not otherwise', async () => {
    await store.createIncident(incident('R3', { firstDeliveryId: 'opener' }));
    const repeat = (deliveryId: string) =>
      store.countRepeat('R3', { deliveryId, at: '2026-11-20T10:07:00.000Z', summary: 'x' }, { whileWalking: true });
    // Its run not seen started yet: not counted, the incident comes back for the caller to decide on.
    expect(await repeat('w-1')).toMatchObject({ counted: false, before: false, incident: { id: 'R3', alertCount: 1 } });
    await store.markRunStarted('R3', 1, '2026-11-20T10:01:00.000Z');
    expect(await repeat('w-1')).toMatchObject({ counted: true, incident: { alertCount: 2 } });
    // The delivery that opened it is no repeat.
    expect(await repeat('opener')).toMatchObject({ counted: false, before: false });
  });
});
