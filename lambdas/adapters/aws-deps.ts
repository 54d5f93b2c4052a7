/**
 * Builds the handlers' dependencies on AWS, once per cold start: the config compiled into the
 * bundle, SDK clients, the table, state machines and bus named by environment variables. The
 * page task's deps are in aws-paging-deps.ts: each bundle loads only the SDK clients it uses.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Severity } from '../core/config.js';
import type { AckKeySource } from '../core/ports.js';
import type { HandlerDeps, IntakeHandlerDeps } from '../handlers/deps.js';
import { bundledConfig, logger, metrics } from './aws-runtime.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { dynamoIntakeRecords } from './dynamo-intake-records.js';
import { ENV, requireEnv } from './environment.js';
import { eventBridgePublisher } from './eventbridge-publisher.js';
import { withIncidentMetrics } from './incident-metrics.js';
import { httpsCertificateFetcher, httpsSubscriptionConfirmer, snsSignatureVerifier } from './sns-signature.js';
import { stepFunctionsEscalation, stepFunctionsPostmortemReminders } from './step-functions-escalation.js';
import { systemClock, ulidGenerator } from './system.js';

export { logger, metrics };

/** `ackKey`: the ack-link key, for the functions that serve ack links (see awsAckKey). */
export function awsHandlerDeps(ackKey?: AckKeySource): HandlerDeps {
  const config = bundledConfig();
  const stateMachines = JSON.parse(requireEnv(ENV.stateMachines)) as Partial<Record<Severity, string>>;
  const sfn = new SFNClient({});
  return {
    config,
    store: dynamoIncidentStore(new DynamoDBClient({}), requireEnv(ENV.tableName)),
    escalation: stepFunctionsEscalation(sfn, stateMachines),
    postmortems: stepFunctionsPostmortemReminders(sfn, requireEnv(ENV.postmortemStateMachine)),
    events: withIncidentMetrics(eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)), metrics),
    clock: systemClock,
    ids: ulidGenerator(),
    logger,
    ackKey,
  };
}

/** The intake function: the handlers' deps plus maintenance windows, notices and SNS signature checks. */
export function awsIntakeDeps(): IntakeHandlerDeps {
  const base = awsHandlerDeps();
  // The stack's own alarm topic is known only at deploy time; the config may allow more topics.
  const deployedTopics = (process.env[ENV.allowedSnsTopicArns] ?? '').split(',').filter(Boolean);
  const snsTopicArns = [...new Set([...base.config.snsTopicArns, ...deployedTopics])];
  return {
    ...base,
    config: { ...base.config, snsTopicArns },
    records: dynamoIntakeRecords(new DynamoDBClient({}), requireEnv(ENV.tableName)),
    sns: {
      verifier: snsSignatureVerifier(httpsCertificateFetcher),
      confirmSubscription: httpsSubscriptionConfirmer,
    },
  };
}
