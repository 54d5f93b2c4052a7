/** IntakeRecordStore on the single DynamoDB table (dynalite locally): Get, Put and Query only. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IntakeRecordStore, MaintenanceWindow, SenderNotice } from '../core/intake-records.js';
import { latestKey, maintenanceKey, noticeKey } from './table-layout.js';

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

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

    async recordNotice(notice) {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...notice, ...noticeKey(notice.kind, notice.at, notice.id), entity: 'notice' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async pointLatest(scopedKey, incidentId) {
      await doc.send(new PutCommand({ TableName, Item: { ...latestKey(scopedKey), kind: 'latest', incidentId } }));
    },

    async latest(scopedKey) {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: latestKey(scopedKey), ConsistentRead: true }));
      return Item?.incidentId as string | undefined;
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
