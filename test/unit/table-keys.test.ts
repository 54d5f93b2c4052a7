/** Every key Klaxon builds fits DynamoDB's limits, whatever a sender puts in its ids; the local store refuses what AWS would. */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoIncidentStore } from '../../lambdas/adapters/dynamo-incident-store.js';
import {
  boundedKey,
  dedupKey,
  deliveryKey,
  handoffKey,
  incidentKey,
  KEY_BYTES,
  maintenanceKey,
  noticeKey,
  openedIndexKeys,
  statusIndexKeys,
  timelineKey,
} from '../../lambdas/adapters/table-layout.js';
import { scopedDedupKey } from '../../lambdas/core/alert.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { anIncident } from '../support/incidents.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const summary2kb = 'é'.repeat(1024); // 1,024 characters, as Events v2 allows: 2,048 bytes
const longKey = `${'k'.repeat(250)}€€€€€`; // Events v2's 255-character dedup_key, multi-byte at the end
const longIntegration = 'team-with-a-very-long-integration-name'.repeat(6);

describe('table keys', () => {
  const long = [
    ['an Events v2 delivery id with a 2 KB summary', `events-v2:${longKey}:2026-12-05T10:00:00Z:${summary2kb}`],
    [
      'a scoped Events v2 dedup key',
      scopedDedupKey({ source: 'events-v2', dedupKey: longKey.repeat(8), integration: longIntegration }),
    ],
    ['an Alertmanager delivery id of a large group', `alertmanager:${'{}/{alertname="x"}:'.repeat(300)}`],
    ['a service name', 'ü'.repeat(3000)],
    ['a path id', 'x'.repeat(3000)],
  ] as const;

  it.each(long)('%s gives keys within the limits', (_, id) => {
    const keys = [
      incidentKey(id),
      timelineKey(id, `alert#${id}`),
      timelineKey('01HZX', `alert-ignored#${id}`),
      dedupKey(id),
      maintenanceKey(id),
      handoffKey(id),
      deliveryKey(id),
      noticeKey('sns-unsubscribed', '2026-12-05T10:00:00.000Z', id),
    ];
    for (const key of keys) {
      expect(bytes(key.pk)).toBeLessThanOrEqual(KEY_BYTES.partitionKey);
      expect(bytes(key.sk)).toBeLessThanOrEqual(KEY_BYTES.sortKey);
    }
    const status = statusIndexKeys('open', '2026-12-05T10:00:00.000Z', id);
    const opened = openedIndexKeys('2026-12-05T10:00:00.000Z', id);
    expect(bytes(status.gsi1sk)).toBeLessThanOrEqual(KEY_BYTES.sortKey);
    expect(bytes(opened.gsi2sk)).toBeLessThanOrEqual(KEY_BYTES.sortKey);
  });

  it('keeps short keys as they are and long ones distinct, with their readable prefix', () => {
    expect(dedupKey('cloudwatch:arn:aws:cloudwatch:us-east-1:1:alarm:db')).toEqual({
      pk: 'DEDUP#cloudwatch:arn:aws:cloudwatch:us-east-1:1:alarm:db',
      sk: 'DEDUP',
    });
    const a = timelineKey('01HZX', `alert#events-v2:k:t:${summary2kb}a`).sk;
    const b = timelineKey('01HZX', `alert#events-v2:k:t:${summary2kb}b`).sk;
    expect(a).not.toBe(b);
    expect(a.startsWith('TIMELINE#alert#events-v2:k:t:éé')).toBe(true);
    expect(a).toMatch(/~sha256:[0-9a-f]{64}$/);
    // Nobody can send the bounded form of another sender's key and land on it.
    expect(boundedKey(a, KEY_BYTES.sortKey)).not.toBe(a);
  });
});

describe('the local DynamoDB', () => {
  let dynamo: LocalDynamoDb;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'keys-test' });
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('refuses a sort key over 1,024 bytes even when it is fewer characters, as DynamoDB does', async () => {
    const put = (sk: string) =>
      dynamo.client.send(new PutItemCommand({ TableName: 'keys-test', Item: { pk: { S: 'P' }, sk: { S: sk } } }));
    await expect(put('é'.repeat(600))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put('P'.repeat(2049).slice(0, 1024))).resolves.toBeDefined();
    await expect(
      dynamo.client.send(
        new PutItemCommand({ TableName: 'keys-test', Item: { pk: { S: 'ü'.repeat(1100) }, sk: { S: 'S' } } }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('stores and finds incidents, dedup keys and repeats whatever the length of their ids', async () => {
    const store = dynamoIncidentStore(dynamo.client, 'keys-test');
    const key = scopedDedupKey({ source: 'events-v2', dedupKey: longKey.repeat(8), integration: longIntegration });
    expect(await store.claimDedupKey(key, 'I1', '2026-12-05T10:00:00.000Z')).toEqual({ claimed: true });
    expect(await store.findByDedupKey(key)).toBe('I1');
    await store.releaseDedupKey(key, 'I1', 1);
    expect(await store.findByDedupKey(key)).toBeUndefined();
    // Freed, the key still names the incident it last pointed at, for a reopen.
    expect(await store.claimDedupKey(key, 'I2', '2026-12-05T10:01:00.000Z')).toEqual({
      claimed: false,
      released: 'I1',
    });
    expect(await store.claimDedupKey(key, 'I1', '2026-12-05T10:01:00.000Z', { released: 'I1' })).toEqual({
      claimed: true,
    });
    await store.createIncident(anIncident({ id: 'I1', dedupKey: key, source: 'events-v2' }));
    const delivery = `events-v2:${longKey}:2026-12-05T10:00:00Z:${summary2kb}`;
    const repeat = { deliveryId: delivery, at: '2026-12-05T10:00:00.000Z', summary: summary2kb };
    await store.countRepeat('I1', repeat, { whileWalking: false });
    await store.countRepeat('I1', repeat, { whileWalking: false });
    expect(await store.getIncident('I1')).toMatchObject({ alertCount: 2 });
    const shown = await store.getIncidentWithTimeline('I1');
    expect(shown?.timeline.filter((entry) => entry.type === 'alert')).toHaveLength(1);
  });
});
