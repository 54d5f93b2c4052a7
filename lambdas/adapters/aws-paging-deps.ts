/**
 * The page task's dependencies on AWS, once per cold start: SNS for the pages (and End User
 * Messaging for calls and SMS when the stack has an origination identity), EventBridge for
 * lifecycle events, the table, and the ack-link key; SNS, EventBridge and Secrets Manager are
 * built on first use (lazy.ts). Apart from aws-deps.ts so that this bundle
 * does not load the Step Functions client, and the others do not load SNS.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { PagingHandlerDeps } from '../handlers/deps.js';
import { awsAckKey } from './ack-key.js';
import { bundledConfig, logger, metrics } from './aws-runtime.js';
import { dynamoHandoffRecords } from './dynamo-handoff-records.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { dynamoOverrides } from './dynamo-overrides.js';
import { ENV, requireEnv } from './environment.js';
import { eventBridgePublisher } from './eventbridge-publisher.js';
import { awsOneTimeSchedules } from './eventbridge-scheduler.js';
import { withIncidentMetrics } from './incident-metrics.js';
import { lazy } from './lazy.js';
import { smsVoicePager } from './sms-voice-pager.js';
import { snsPager } from './sns-pager.js';
import { systemClock } from './system.js';

export { logger };

/** SNS alone, or with End User Messaging for calls and SMS when the stack has an origination identity. */
function pager() {
  const sns = snsPager(
    lazy(() => new SNSClient({})),
    requireEnv(ENV.responderTopicArnPrefix),
  );
  const originationIdentity = process.env[ENV.originationIdentity];
  if (!originationIdentity) return sns;
  return smsVoicePager(
    sns,
    lazy(() => new PinpointSMSVoiceV2Client({})),
    { originationIdentity, configurationSetName: requireEnv(ENV.smsConfigurationSet) },
  );
}

export function awsPagingDeps(): PagingHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  const tableName = requireEnv(ENV.tableName);
  return {
    config: bundledConfig(),
    store: dynamoIncidentStore(dynamodb, tableName),
    overrides: dynamoOverrides(dynamodb, tableName),
    pager: pager(),
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
    schedules: awsOneTimeSchedules(systemClock),
    smsReplies: process.env[ENV.smsReplies] === 'on',
  };
}
