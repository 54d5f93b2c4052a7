/**
 * The page task's dependencies on AWS, once per cold start: SNS for the pages, EventBridge for
 * lifecycle events, the table, and the ack-link key; SNS, EventBridge and Secrets Manager are
 * built on first use (lazy.ts). Apart from aws-deps.ts so that this bundle
 * does not load the Step Functions client, and the others do not load SNS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { PagingHandlerDeps } from '../handlers/deps.js';
import { awsAckKey } from './ack-key.js';
import { bundledConfig, logger, metrics } from './aws-runtime.js';
import { dynamoHandoffRecords } from './dynamo-handoff-records.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { ENV, requireEnv } from './environment.js';
import { eventBridgePublisher } from './eventbridge-publisher.js';
import { withIncidentMetrics } from './incident-metrics.js';
import { lazy } from './lazy.js';
import { snsPager } from './sns-pager.js';
import { systemClock } from './system.js';

export { logger };

export function awsPagingDeps(): PagingHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  const tableName = requireEnv(ENV.tableName);
  return {
    config: bundledConfig(),
    store: dynamoIncidentStore(dynamodb, tableName),
    pager: snsPager(
      lazy(() => new SNSClient({})),
      requireEnv(ENV.responderTopicArnPrefix),
    ),
    events: withIncidentMetrics(
      eventBridgePublisher(
        lazy(() => new EventBridgeClient({})),
        requireEnv(ENV.eventBusName),
      ),
      metrics,
    ),
    clock: systemClock,
    apiBaseUrl: process.env[ENV.publicBaseUrl] ?? '',
    logger,
    handoffs: dynamoHandoffRecords(dynamodb, tableName),
    ackKey: awsAckKey(),
    smsReplies: process.env[ENV.smsReplies] === 'on',
  };
}
