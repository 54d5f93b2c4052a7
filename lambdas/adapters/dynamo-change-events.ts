/** ChangeEventStore on the single DynamoDB table (dynalite locally): Put and Query only. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeEvent, ChangeEventStore } from '../core/change-events.js';
import { changeKey, TTL_ATTRIBUTE } from './table-layout.js';

/** As long as PagerDuty keeps change events. */
const KEEP_SECONDS = 90 * 24 * 3600;

export function dynamoChangeEvents(client: DynamoDBClient, tableName: string): ChangeEventStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = tableName;
  return {
    async recordChange(change) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...changeKey(change.service, change.at, change.id),
            entity: 'change',
            change,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(change.receivedAt) / 1000) + KEEP_SECONDS,
          },
        }),
      );
    },

    async changesBetween(service, from, to, limit) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': changeKey(service, '', '').pk,
            ':from': from,
            // Every sort key at `to` sorts before `to` followed by "#~".
            ':to': `${to}#~`,
          },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (Items ?? []).map((item) => item.change as ChangeEvent);
    },
  };
}
