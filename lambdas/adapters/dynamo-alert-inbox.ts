/**
 * AlertInboxStore on the single DynamoDB table (dynalite locally): one item per chunk, in its own
 * partition, and a small entry per chunk in the pending list. The entry is written before its
 * chunk and deleted after it, so a stored chunk always has its entry; an entry left without its
 * chunk (a crash in between) is deleted by the next receive of that chunk.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../core/alert.js';
import type { AlertInboxStore, PendingInboxChunk } from '../core/alert-inbox.js';
import { conditionHeld } from './dynamo-conditions.js';
import { queryAllItems } from './dynamo-query-pages.js';
import { inboxKey, inboxPendingKey } from './table-layout.js';

export function dynamoAlertInbox(client: DynamoDBClient, tableName: string): AlertInboxStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = tableName;
  return {
    async put({ inbox, chunk, of, storedAt, alerts }) {
      await doc.send(
        new PutCommand({ TableName, Item: { ...inboxPendingKey(inbox, chunk), kind: 'inbox-pending', storedAt } }),
      );
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

    async keepOnly({ inbox, chunk }, alerts) {
      await conditionHeld(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: inboxKey(inbox, chunk),
            UpdateExpression: 'SET alerts = :alerts',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':alerts': JSON.stringify(alerts) },
          }),
        ),
      );
    },

    async delete({ inbox, chunk }) {
      await doc.send(new DeleteCommand({ TableName, Key: inboxKey(inbox, chunk) }));
      await doc.send(new DeleteCommand({ TableName, Key: inboxPendingKey(inbox, chunk) }));
    },

    async pending() {
      const refs: PendingInboxChunk[] = [];
      for await (const item of queryAllItems(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': inboxPendingKey('', 0).pk },
        ConsistentRead: true,
      })) {
        const sk = String(item.sk);
        const at = sk.lastIndexOf('#');
        refs.push({ inbox: sk.slice(0, at), chunk: Number(sk.slice(at + 1)), storedAt: String(item.storedAt) });
      }
      return refs;
    },
  };
}
