/**
 * The page task's dependencies on AWS, once per cold start: the table, SNS for the pages (and End
 * User Messaging for calls and SMS when the stack has an origination identity), EventBridge for
 * lifecycle events, and the ack-link key; all but the table load their SDK client on first use
 * (aws-ports.ts). Apart from aws-deps.ts so that this bundle holds no Step Functions client.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PagingHandlerDeps } from '../handlers/deps.js';
import { awsAckKey, awsLifecyclePublisher, awsOneTimeSchedules, awsPager } from './aws-ports.js';
import { bundledConfig, logger, metrics } from './aws-runtime.js';
import { dynamoHandoffRecords } from './dynamo-handoff-records.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { dynamoOverrides } from './dynamo-overrides.js';
import { ENV, requireEnv } from './environment.js';
import { withIncidentMetrics } from './incident-metrics.js';
import { systemClock } from './system.js';

export { logger };

export function awsPagingDeps(): PagingHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  const tableName = requireEnv(ENV.tableName);
  const originationIdentity = process.env[ENV.originationIdentity];
  return {
    config: bundledConfig(),
    store: dynamoIncidentStore(dynamodb, tableName),
    overrides: dynamoOverrides(dynamodb, tableName),
    pager: awsPager(
      requireEnv(ENV.responderTopicArnPrefix),
      originationIdentity
        ? { originationIdentity, configurationSetName: requireEnv(ENV.smsConfigurationSet) }
        : undefined,
    ),
    events: withIncidentMetrics(awsLifecyclePublisher(requireEnv(ENV.eventBusName)), metrics),
    clock: systemClock,
    apiBaseUrl: process.env[ENV.publicBaseUrl] ?? '',
    logger,
    handoffs: dynamoHandoffRecords(dynamodb, tableName),
    ackKey: awsAckKey(),
    schedules: awsOneTimeSchedules(systemClock),
    smsReplies: process.env[ENV.smsReplies] === 'on',
  };
}
