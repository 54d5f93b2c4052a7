/**
 * OverrideStore on the single table: one partition, `OVERRIDE` / `<id>`, read whole (overrides are
 * a handful at a time, and each page reads them, so one Query beats an index). Kept until a day
 * after the override ends (TTL; dynalite has none, so the core filters by time as well).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OverrideStore, ShiftOverride } from '../core/ports.js';
import { queryAllItems } from './dynamo-query-pages.js';
import { OVERRIDES_PARTITION, overrideKey, TTL_ATTRIBUTE } from './table-layout.js';

const KEEP_AFTER_END_SECONDS = 86_400;

const FIELDS = ['id', 'team', 'role', 'responder', 'from', 'to', 'reason', 'by', 'createdAt'] as const;

function fromItem(item: Record<string, unknown>): ShiftOverride {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field]])) as unknown as ShiftOverride;
}

export function dynamoOverrides(client: DynamoDBClient, tableName: string): OverrideStore {
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = tableName;
  return {
    async listOverrides() {
      const overrides: ShiftOverride[] = [];
      for await (const item of queryAllItems(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': OVERRIDES_PARTITION },
      })) {
        overrides.push(fromItem(item));
      }
      return overrides;
    },
    async putOverride(override) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...overrideKey(override.id),
            kind: 'override',
            ...override,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(override.to) / 1000) + KEEP_AFTER_END_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async removeOverride(id) {
      const reply = await doc.send(new DeleteCommand({ TableName, Key: overrideKey(id), ReturnValues: 'ALL_OLD' }));
      return reply.Attributes ? fromItem(reply.Attributes) : undefined;
    },
  };
}
