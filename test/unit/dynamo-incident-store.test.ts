/** The store's conditional writes against dynalite, under the races intake and responders create. */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoIncidentStore } from '../../lambdas/adapters/dynamo-incident-store.js';
import { encodeListCursor } from '../../lambdas/adapters/incident-queries.js';
import { incidentKey } from '../../lambdas/adapters/table-layout.js';
import type { AlertGroup } from '../../lambdas/core/alert.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { type IncidentStore, InvalidCursorError } from '../../lambdas/core/ports.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { anIncident } from '../support/incidents.js';

const incident = (id: string, changes: Partial<Incident> = {}) =>
  anIncident({ id, dedupKey: `key-${id}`, source: 'events-v2', severity: 'SEV2', ...changes });

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
    const losers = claims.flatMap((claim) => (claim.claimed ? [] : [claim.incidentId]));
    expect(losers).toEqual(Array(24).fill(winners[0]));
  });

  it('frees a dedup key only for the incident it points at', async () => {
    await store.claimDedupKey('events-v2:release', 'mine', 'now');
    await store.releaseDedupKey('events-v2:release', 'someone-else', 0);
    expect(await store.findByDedupKey('events-v2:release')).toBe('mine');
    await store.releaseDedupKey('events-v2:release', 'mine', 0);
    expect(await store.findByDedupKey('events-v2:release')).toBeUndefined();
  });

  it("keeps a dedup key a reopen holds for a later run from the release of an earlier run's resolution", async () => {
    await store.claimDedupKey('cloudwatch:held', 'flapper', 'now');
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'someone-else', 1)).toBe(false);
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 1)).toBe(true);
    // A retried reopen holds it again; a stale one for an earlier run does not take it back.
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 1)).toBe(true);
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 0)).toBe(false);
    await store.releaseDedupKey('cloudwatch:held', 'flapper', 0);
    expect(await store.findByDedupKey('cloudwatch:held')).toBe('flapper');
    await store.releaseDedupKey('cloudwatch:held', 'flapper', 1);
    expect(await store.findByDedupKey('cloudwatch:held')).toBeUndefined();
    expect(await store.holdDedupKeyForRun('cloudwatch:held', 'flapper', 2)).toBe(false);
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
    await store.createIncident(incident('T1'));
    const acked = await store.transition('T1', ['open'], { status: 'acknowledged', acknowledgedBy: 'sam' });
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'sam' });
    expect(await store.transition('T1', ['open'], { status: 'acknowledged', acknowledgedBy: 'priya' })).toBeUndefined();
    expect(await store.transition('missing', ['open'], { status: 'resolved' })).toBeUndefined();
    const listed = await store.listByStatus('acknowledged', { limit: 10 });
    expect(listed.incidents.map((item) => item.id)).toContain('T1');
    expect((await store.listByStatus('open', { limit: 100 })).incidents.map((item) => item.id)).not.toContain('T1');
  });

  it('applies a transition only to the run it was decided on: a reopen in between refuses it', async () => {
    await store.createIncident(incident('RUN1'));
    // Never reopened (no reopenCount stored) counts as run 0.
    expect(await store.transition('RUN1', ['open'], { status: 'resolved' }, { reopenCount: 1 })).toBeUndefined();
    expect(await store.transition('RUN1', ['open'], { status: 'resolved' }, { reopenCount: 0 })).toMatchObject({
      status: 'resolved',
    });
    await store.transition('RUN1', ['resolved'], { status: 'open', reopenCount: 1 }, { reopenCount: 0 });
    // A resolve decided while the incident was in run 0 lands on nothing.
    expect(await store.transition('RUN1', ['open'], { status: 'resolved' }, { reopenCount: 0 })).toBeUndefined();
    expect(await store.transition('RUN1', ['open'], { status: 'resolved' }, { reopenCount: 1 })).toMatchObject({
      status: 'resolved',
      reopenCount: 1,
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
    await store.createIncident(incident('RO1'));
    await store.transition('RO1', ['open'], {
      status: 'resolved',
      resolvedAt: '2026-11-20T11:00:00.000Z',
      resolvedBy: 'sam',
    });
    const reopened = await store.transition('RO1', ['resolved'], {
      status: 'open',
      reopenCount: 1,
      resolvedAt: undefined,
      resolvedBy: undefined,
    });
    expect(reopened).toMatchObject({ status: 'open', reopenCount: 1 });
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

  it('records when a ladder started in the same write as its execution', async () => {
    await store.createIncident(incident('L1'));
    await store.setExecutionArn('L1', 'arn:aws:states:local:000000000000:execution:x:L1', '2026-11-20T13:01:00.000Z');
    expect(await store.getIncident('L1')).toMatchObject({
      executionArn: 'arn:aws:states:local:000000000000:execution:x:L1',
      ladderStartedAt: '2026-11-20T13:01:00.000Z',
    });
  });

  it('writes a timeline entry once per key, and counts a repeated alert once per delivery', async () => {
    await store.createIncident(incident('R1'));
    expect(
      await store.appendTimeline('R1', 'note#1', { at: '2026-11-20T10:05:00.000Z', type: 'note', message: 'a' }),
    ).toBe(true);
    expect(
      await store.appendTimeline('R1', 'note#1', { at: '2026-11-20T10:06:00.000Z', type: 'note', message: 'b' }),
    ).toBe(false);
    const repeat = { at: '2026-11-20T10:07:00.000Z', type: 'alert' as const, message: 'again' };
    await store.recordRepeatAlert('R1', 'sns-message-1', repeat);
    await store.recordRepeatAlert('R1', 'sns-message-1', repeat);
    await store.recordRepeatAlert('R1', 'sns-message-2', repeat);
    const shown = await store.getIncidentWithTimeline('R1');
    expect(shown?.alertCount).toBe(3);
    expect(shown?.timeline.map((entry) => entry.message)).toEqual(['a', 'again', 'again']);
    expect(await store.hasTimelineEntry('R1', 'note#1')).toBe(true);
    expect(await store.hasTimelineEntry('R1', 'note#2')).toBe(false);
  });

  it("counts a repeat once when a crash cut it short after its count and before its entry, however the sender's retry comes", async () => {
    await store.createIncident(incident('R2'));
    const repeat = { at: '2026-11-20T10:07:00.000Z', type: 'alert' as const, message: 'again' };
    // The count is written, then every attempt of the entry write fails: the sender retries.
    dynamo.faults.inject({ operation: 'PutItem', kind: 'internal-error', attempts: 3 });
    await expect(store.recordRepeatAlert('R2', 'crashed', repeat)).rejects.toThrow();
    dynamo.faults.clear();
    // Other repeats are counted before the retry, enough to trim the list of counted deliveries.
    for (let i = 0; i < 20; i++) await store.recordRepeatAlert('R2', `other-${i}`, repeat);
    await store.recordRepeatAlert('R2', 'crashed', repeat);
    await store.recordRepeatAlert('R2', 'crashed', repeat);
    // Long after, a redelivery of a delivery counted early (its id trimmed away) is still not counted.
    for (let i = 20; i < 60; i++) await store.recordRepeatAlert('R2', `other-${i}`, repeat);
    await store.recordRepeatAlert('R2', 'other-0', repeat);

    const shown = await store.getIncidentWithTimeline('R2');
    expect(shown?.alertCount).toBe(1 + 1 + 60);
    expect(shown?.timeline).toHaveLength(61);
    expect(shown).not.toHaveProperty('countedDeliveries');
    // The ids it keeps to tell a counted delivery stay few, however many repeats come.
    const { Item } = await DynamoDBDocumentClient.from(dynamo.client).send(
      new GetCommand({ TableName: 'store-test', Key: incidentKey('R2') }),
    );
    expect((Item?.countedDeliveries as unknown[] | undefined)?.length).toBeLessThanOrEqual(48);
  });
});
