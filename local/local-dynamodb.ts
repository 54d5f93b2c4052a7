/** dynalite in this process, in memory or on disk (`--data DIR`), with Klaxon's table created. */
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from '../lambdas/adapters/table-layout.js';
import { returnItemsOnConditionFailure } from './dynamodb-condition-failures.js';
import { DynamoDbFaults } from './dynamodb-faults.js';
import { enforceKeySizes } from './dynamodb-key-limits.js';
import { inProcessRequestHandler, localSigV4 } from './in-process-dynalite.js';

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
  // The same dynalite, reached in this process rather than through the port (other tools use the port).
  const [listener] = server.listeners('request') as RequestListener[];
  if (!listener) throw new Error('dynalite has no request listener');
  let open = true;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const newClient = () =>
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials,
      maxAttempts: 3,
      requestHandler: inProcessRequestHandler(listener, () => open),
      httpAuthSchemes: [localSigV4(credentials)],
    });
  const client = newClient();
  const reader = newClient();
  const operationCounts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName ?? 'unknown';
      operationCounts.set(operation, (operationCounts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countOperations' },
  );
  enforceKeySizes(client);
  returnItemsOnConditionFailure(client, reader);
  await ensureTable(client, options.tableName);
  const faults = new DynamoDbFaults();
  faults.install(client);
  return {
    client,
    operationCounts,
    faults,
    endpoint,
    close: async () => {
      open = false;
      client.destroy();
      reader.destroy();
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
  // dynalite answers CreateTable with the table still CREATING and activates it on a later tick.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Table ${tableName} did not become active`);
}
