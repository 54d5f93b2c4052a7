/**
 * DynamoDB answers a refused conditional write that asked for `ReturnValuesOnConditionCheckFailure:
 * ALL_OLD` with the item as it stood (ConditionalCheckFailedException.Item), which saves the
 * caller a read; dynalite accepts the parameter and ignores it. This middleware gives the local
 * runtime the same answer: on a refused write that asked for it, it reads the item and attaches
 * it to the error, so code that relies on it runs locally as on AWS.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailure } from '../lambdas/adapters/dynamo-conditions.js';
import { TABLE_KEYS } from '../lambdas/adapters/table-layout.js';
import { wireJson } from './dynamodb-key-limits.js';

type WireRequest = {
  TableName?: string;
  Item?: Record<string, AttributeValue>;
  Key?: Record<string, AttributeValue>;
  ReturnValuesOnConditionCheckFailure?: string;
};

/**
 * `reader` reads the item: a client of its own, so that the read, which AWS does not make, is not
 * counted or faulted as one of the caller's calls.
 */
export function returnItemsOnConditionFailure(client: DynamoDBClient, reader: DynamoDBClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = wireJson((args.request as { body?: unknown } | undefined)?.body) as WireRequest | undefined;
      if (request?.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' || !request.TableName) return next(args);
      try {
        return await next(args);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const source = request.Key ?? request.Item ?? {};
        const Key = Object.fromEntries(
          [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey].flatMap((name) => (source[name] ? [[name, source[name]]] : [])),
        );
        const { Item } = await reader.send(
          new GetItemCommand({ TableName: request.TableName, Key, ConsistentRead: true }),
        );
        throw Object.assign(error as Error, { Item });
      }
    },
    { step: 'build', name: 'returnItemsOnConditionFailure' },
  );
}
