/** Who sends a handoff notice: one claim at a time, given back on failure, taken over once stale, never after it went out. */
import { dynamoHandoffRecords } from '../../lambdas/adapters/dynamo-handoff-records.js';
import type { HandoffRecords } from '../../lambdas/core/handoffs.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';

const TABLE = 'handoff-records-test';
const CLAIMED_AT = '2026-11-23T09:00:00.000Z';
/** Within the claim's lease: it was made after this. */
const LIVE = '2026-11-23T08:59:30.000Z';
/** Past the claim's lease: it was made before this. */
const STALE = '2026-11-23T09:00:30.000Z';

describe('handoff records', () => {
  let dynamo: LocalDynamoDb;
  let records: HandoffRecords;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: TABLE });
    records = dynamoHandoffRecords(dynamo.client, TABLE);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('lets one caller claim a handoff; a duplicate while the claim is live is refused', async () => {
    expect(await records.claimHandoff('rotation#a', CLAIMED_AT, LIVE)).toBe(true);
    expect(await records.claimHandoff('rotation#a', '2026-11-23T09:00:05.000Z', LIVE)).toBe(false);
  });

  it('gives a released claim to the retry', async () => {
    expect(await records.claimHandoff('rotation#b', CLAIMED_AT, LIVE)).toBe(true);
    await records.releaseHandoff('rotation#b', '2026-11-23T09:00:01.000Z');
    expect(await records.claimHandoff('rotation#b', '2026-11-23T09:01:00.000Z', LIVE)).toBe(true);
  });

  it('lets a retry take over a claim never marked sent once it is older than the lease (its sender crashed)', async () => {
    expect(await records.claimHandoff('rotation#c', CLAIMED_AT, LIVE)).toBe(true);
    expect(await records.claimHandoff('rotation#c', '2026-11-23T09:01:00.000Z', STALE)).toBe(true);
  });

  it('never gives out a handoff marked sent, however old', async () => {
    expect(await records.claimHandoff('rotation#d', CLAIMED_AT, LIVE)).toBe(true);
    await records.markHandoffSent('rotation#d', CLAIMED_AT);
    expect(await records.claimHandoff('rotation#d', '2026-11-24T09:00:00.000Z', '2026-11-24T08:59:30.000Z')).toBe(
      false,
    );
  });
});
