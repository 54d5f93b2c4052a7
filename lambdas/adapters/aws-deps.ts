/**
 * Builds the handlers' dependencies on AWS, once per cold start: the config compiled into the
 * bundle, the table, and the state machines and bus named by environment variables. Only the
 * DynamoDB client is loaded at init (every route reads the table); every other service's port loads
 * its SDK client on first use (aws-ports.ts), so a request loads only the clients its route calls.
 * The page task's deps are in aws-paging-deps.ts, the intake's in aws-intake-deps.ts.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Severity } from '../core/config.js';
import type { AckKeySource } from '../core/ports.js';
import type { HandlerDeps } from '../handlers/deps.js';
import { awsLifecyclePublisher, awsOneTimeSchedules, awsStepFunctions } from './aws-ports.js';
import { bundledConfig, logger, metrics } from './aws-runtime.js';
import { dynamoChangeEvents } from './dynamo-change-events.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { dynamoOverrides } from './dynamo-overrides.js';
import { ENV, requireEnv } from './environment.js';
import { withIncidentMetrics } from './incident-metrics.js';
import { systemClock, ulidGenerator } from './system.js';

export { logger, metrics };

/**
 * `ackKey`: the ack-link key, for the functions that serve ack links (see awsAckKey). `dynamodb`:
 * the function's one DynamoDB client, when it has more adapters on the table than these. It is the
 * one client built at load: every route reads the table, and the document clients the adapters
 * make read its config as they are made.
 */
export function awsHandlerDeps(ackKey?: AckKeySource, dynamodb = new DynamoDBClient({})): HandlerDeps {
  const config = bundledConfig();
  const stateMachines = JSON.parse(requireEnv(ENV.stateMachines)) as Partial<Record<Severity, string>>;
  const { escalation, postmortems } = awsStepFunctions(stateMachines, requireEnv(ENV.postmortemStateMachine));
  return {
    config,
    store: dynamoIncidentStore(dynamodb, requireEnv(ENV.tableName)),
    overrides: dynamoOverrides(dynamodb, requireEnv(ENV.tableName)),
    changes: dynamoChangeEvents(dynamodb, requireEnv(ENV.tableName)),
    escalation,
    postmortems,
    events: withIncidentMetrics(awsLifecyclePublisher(requireEnv(ENV.eventBusName)), metrics),
    clock: systemClock,
    ids: ulidGenerator(),
    logger,
    ackKey,
    schedules: awsOneTimeSchedules(systemClock),
  };
}
