/** IntakeRecordStore on the single DynamoDB table (dynalite locally): Get, Put and Query only. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type IntakeRecordStore,
  type MaintenanceWindow,
  PROCESSED_DELIVERY_KEPT_SECONDS,
  type ProcessedDelivery,
  type SenderNotice,
} from '../core/intake-records.js';
import { conditionHeld } from './dynamo-conditions.js';
import { deliveryKey, maintenanceKey, noticeKey, TTL_ATTRIBUTE } from './table-layout.js';

export function dynamoIntakeRecords(client: DynamoDBClient, tableName: string): IntakeRecordStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = tableName;
  return {
    async putMaintenance(window) {
      await doc.send(
        new PutCommand({ TableName, Item: { ...window, ...maintenanceKey(window.service), kind: 'maintenance' } }),
      );
    },

    async getMaintenance(service) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: maintenanceKey(service), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { service: name, startsAt, endsAt, reason, by } = Item as MaintenanceWindow;
      return { service: name, startsAt, endsAt, reason, by };
    },

    recordNotice: (notice) =>
      conditionHeld(
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...notice, ...noticeKey(notice.kind, notice.at, notice.id), entity: 'notice' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    async recordProcessedDelivery(delivery) {
      // Two copies of one delivery finished together: the first record stands.
      await conditionHeld(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...delivery,
              ...deliveryKey(delivery.deliveryId),
              kind: 'delivery',
              [TTL_ATTRIBUTE]: Math.floor(Date.parse(delivery.at) / 1000) + PROCESSED_DELIVERY_KEPT_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async processedDelivery(deliveryId) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: deliveryKey(deliveryId), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { at, outcome, incidentId } = Item as ProcessedDelivery;
      return { deliveryId: Item.deliveryId as string, at, outcome, ...(incidentId ? { incidentId } : {}) };
    },

    async listNotices(kind, limit) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': noticeKey(kind, '', '').pk },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map(({ kind: noticeKind, at, id, message, topicArn }) => ({
        kind: noticeKind,
        at,
        id,
        message,
        topicArn,
      })) as SenderNotice[];
    },
  };
}
