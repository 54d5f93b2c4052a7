/** AlertInboxStore on the single DynamoDB table (dynalite locally): one item per chunk. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../core/alert.js';
import type { AlertInboxStore } from '../core/alert-inbox.js';
import { inboxKey } from './table-layout.js';

export function dynamoAlertInbox(client: DynamoDBClient, tableName: string): AlertInboxStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = tableName;
  return {
    async put({ inbox, chunk, of, storedAt, alerts }) {
      // The alerts as one JSON string: its size is what the chunk limit measured, and label names
      // of any spelling stay data rather than becoming attribute names.
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...inboxKey(inbox, chunk),
            kind: 'inbox',
            inbox,
            chunk,
            of,
            storedAt,
            alerts: JSON.stringify(alerts),
          },
        }),
      );
    },

    async get({ inbox, chunk }) {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: inboxKey(inbox, chunk), ConsistentRead: true }));
      if (!Item) return undefined;
      return {
        inbox,
        chunk,
        of: Item.of as number,
        storedAt: Item.storedAt as string,
        alerts: JSON.parse(Item.alerts as string) as Alert[],
      };
    },

    async delete({ inbox, chunk }) {
      await doc.send(new DeleteCommand({ TableName, Key: inboxKey(inbox, chunk) }));
    },
  };
}
