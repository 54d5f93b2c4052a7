/** dynalite in this process, in memory or on disk (`--data DIR`), with Klaxon's table created. */
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from '../lambdas/adapters/table-layout.js';
import { DynamoDbFaults } from './dynamodb-faults.js';

export interface LocalDynamoDb {
  client: DynamoDBClient;
  /** How many times each DynamoDB operation was called: lets tests prove no code path Scans. */
  operationCounts: Map<string, number>;
  endpoint: string;
  /** Throttles and 5xx answers to inject (tests); inert until one is scheduled. */
  faults: DynamoDbFaults;
  close(): Promise<void>;
}

export async function startLocalDynamoDb(options: { dataDir?: string; tableName: string }): Promise<LocalDynamoDb> {
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  const operationCounts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName ?? 'unknown';
      operationCounts.set(operation, (operationCounts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countOperations' },
  );
  await ensureTable(client, options.tableName);
  const faults = new DynamoDbFaults();
  faults.install(client);
  return {
    client,
    operationCounts,
    faults,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  }
}
