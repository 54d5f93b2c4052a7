/**
 * HeartbeatStore on the single DynamoDB table (dynalite locally). A ping is one UpdateItem whose
 * condition keeps the latest ping; it returns the state before, so the caller knows where the
 * schedule stands and whether a missed deadline awaits its resolution without reading first.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { HeartbeatMonitor, HeartbeatState, HeartbeatStore } from '../core/heartbeats.js';
import { conditionHeld, isConditionFailure } from './dynamo-conditions.js';
import { HEARTBEAT_MONITORS_PK, heartbeatMonitorKey, heartbeatStateKey } from './table-layout.js';

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_MAX = 100;

const monitorOf = (item: Record<string, unknown>): HeartbeatMonitor => {
  const { name, interval, grace, severity, service, createdAt, createdBy } = item as unknown as HeartbeatMonitor;
  return { name, interval, grace, severity, service, origin: 'api', createdAt, createdBy };
};

const stateOf = (item: Record<string, unknown>): HeartbeatState => {
  const { name, lastPingAt, scheduledAt, missingSince } = item as unknown as HeartbeatState;
  return {
    name,
    ...(lastPingAt ? { lastPingAt } : {}),
    ...(scheduledAt ? { scheduledAt } : {}),
    ...(missingSince ? { missingSince } : {}),
  };
};

export function dynamoHeartbeats(client: DynamoDBClient, tableName: string): HeartbeatStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = tableName;
  return {
    addMonitor: (monitor) =>
      conditionHeld(
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...monitor, ...heartbeatMonitorKey(monitor.name), kind: 'heartbeat-monitor' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    async removeMonitor(name) {
      const { Attributes } = await doc.send(
        new DeleteCommand({ TableName, Key: heartbeatMonitorKey(name), ReturnValues: 'ALL_OLD' }),
      );
      // Its pings go with it: a monitor added again under the name starts at its first ping.
      await doc.send(new DeleteCommand({ TableName, Key: heartbeatStateKey(name) }));
      return Attributes !== undefined;
    },

    async getMonitor(name) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: heartbeatMonitorKey(name), ConsistentRead: true }),
      );
      return Item ? monitorOf(Item) : undefined;
    },

    async listMonitors() {
      const monitors: HeartbeatMonitor[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': HEARTBEAT_MONITORS_PK },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        monitors.push(...(page.Items ?? []).map(monitorOf));
        start = page.LastEvaluatedKey;
      } while (start);
      return monitors;
    },

    async getState(name) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: heartbeatStateKey(name), ConsistentRead: true }),
      );
      return Item ? stateOf(Item) : undefined;
    },

    async getStates(names) {
      const states: HeartbeatState[] = [];
      for (let i = 0; i < names.length; i += BATCH_GET_MAX) {
        let keys: Record<string, unknown>[] | undefined = names.slice(i, i + BATCH_GET_MAX).map(heartbeatStateKey);
        // Unprocessed keys (throttling) are asked again until none is left.
        while (keys && keys.length > 0) {
          const batch: BatchGetCommandOutput = await doc.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          states.push(...(batch.Responses?.[TableName] ?? []).map(stateOf));
          keys = batch.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return states;
    },

    async recordPing(name, at) {
      try {
        const { Attributes } = await doc.send(
          new UpdateCommand({
            TableName,
            Key: heartbeatStateKey(name),
            UpdateExpression: 'SET lastPingAt = :at, #name = :name, kind = :kind',
            ConditionExpression: 'attribute_not_exists(lastPingAt) OR lastPingAt < :at',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':at': at, ':name': name, ':kind': 'heartbeat' },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return { recorded: true, before: Attributes ? stateOf(Attributes) : { name } };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return { recorded: false };
      }
    },

    async recordScheduled(name, at) {
      await conditionHeld(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: heartbeatStateKey(name),
            UpdateExpression: 'SET scheduledAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(scheduledAt) OR scheduledAt < :at)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },

    markMissing: (name, lastPingAt) =>
      conditionHeld(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: heartbeatStateKey(name),
            UpdateExpression: 'SET missingSince = :at',
            ConditionExpression: 'lastPingAt = :at',
            ExpressionAttributeValues: { ':at': lastPingAt },
          }),
        ),
      ),

    async clearMissing(name, missingSince) {
      await conditionHeld(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: heartbeatStateKey(name),
            UpdateExpression: 'REMOVE missingSince',
            ConditionExpression: 'missingSince = :at',
            ExpressionAttributeValues: { ':at': missingSince },
          }),
        ),
      );
    },
  };
}
