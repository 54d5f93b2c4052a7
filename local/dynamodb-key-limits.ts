/**
 * DynamoDB refuses a string key attribute over its size limit in UTF-8 bytes; dynalite counts
 * UTF-16 code units instead, so a key of 600 "é" (1,200 bytes) passes locally and fails on AWS.
 * This middleware sees each request as it goes on the wire and refuses it as DynamoDB would, so
 * local runs and tests meet the same limit as AWS.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GLOBAL_INDEXES, KEY_BYTES, TABLE_KEYS } from '../lambdas/adapters/table-layout.js';

const LIMITS = new Map<string, number>([
  [TABLE_KEYS.partitionKey, KEY_BYTES.partitionKey],
  [TABLE_KEYS.sortKey, KEY_BYTES.sortKey],
  ...GLOBAL_INDEXES.flatMap((index): [string, number][] => [
    [index.partitionKey, KEY_BYTES.partitionKey],
    [index.sortKey, KEY_BYTES.sortKey],
  ]),
]);

type WireItem = Record<string, { S?: string } | undefined>;

/** The first key attribute over its limit in a request body, described as DynamoDB does; else undefined. */
export function keySizeViolation(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const request = body as { Item?: WireItem; Key?: WireItem; ExclusiveStartKey?: WireItem };
  for (const item of [request.Item, request.Key, request.ExclusiveStartKey]) {
    for (const [name, limit] of LIMITS) {
      const value = item?.[name]?.S;
      if (value === undefined || Buffer.byteLength(value, 'utf8') <= limit) continue;
      return limit === KEY_BYTES.partitionKey
        ? `One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of ${limit} bytes (${name})`
        : `One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of ${limit} bytes (${name})`;
    }
  }
  return undefined;
}

/** The request body as JSON: a string, or the SDK's bytes (a view read in place, as the in-process handler does). */
export function wireJson(body: unknown): unknown {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array)
    text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function enforceKeySizes(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const violation = keySizeViolation(wireJson((args.request as { body?: unknown } | undefined)?.body));
      if (violation) {
        throw Object.assign(new Error(violation), {
          name: 'ValidationException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'build', name: 'enforceKeySizes' },
  );
}
