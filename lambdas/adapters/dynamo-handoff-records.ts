/**
 * HandoffRecords on the single table: `HANDOFF#<key>` claimed by a conditional put, given back or
 * marked sent by an update (the page function may Put and Update items, never Delete). Kept 30
 * days (TTL).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HandoffRecords } from '../core/handoffs.js';
import { conditionHeld } from './dynamo-conditions.js';
import { handoffKey, TTL_ATTRIBUTE } from './table-layout.js';

const KEEP_SECONDS = 30 * 86_400;

export function dynamoHandoffRecords(client: DynamoDBClient, tableName: string): HandoffRecords {
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = tableName;
  const setState = async (key: string, state: 'released' | 'sent', at: string) => {
    await doc.send(
      new UpdateCommand({
        TableName,
        Key: handoffKey(key),
        UpdateExpression: 'SET #state = :state, stateAt = :at',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':at': at },
      }),
    );
  };
  return {
    claimHandoff: (key, at, staleBefore) =>
      conditionHeld(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...handoffKey(key),
              kind: 'handoff',
              state: 'claimed',
              claimedAt: at,
              [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + KEEP_SECONDS,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR #state = :released OR (#state = :claimed AND claimedAt < :staleBefore)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':released': 'released', ':claimed': 'claimed', ':staleBefore': staleBefore },
          }),
        ),
      ),

    releaseHandoff: (key, at) => setState(key, 'released', at),
    markHandoffSent: (key, at) => setState(key, 'sent', at),
  };
}
