/**
 * Builds the handlers' dependencies on AWS, once per cold start: the config compiled into the
 * bundle, the table, state machines and bus named by environment variables, and SDK clients that
 * are built on first use (see lazy.ts), so a request builds only the clients its route needs. The
 * page task's deps are in aws-paging-deps.ts and the intake's in aws-intake-deps.ts: each bundle
 * loads only the clients and libraries it uses.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Severity } from '../core/config.js';
import type { AckKeySource } from '../core/ports.js';
import type { HandlerDeps } from '../handlers/deps.js';
import { bundledConfig, logger, metrics } from './aws-runtime.js';
import { dynamoChangeEvents } from './dynamo-change-events.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { dynamoOverrides } from './dynamo-overrides.js';
import { ENV, requireEnv } from './environment.js';
import { eventBridgePublisher } from './eventbridge-publisher.js';
import { awsOneTimeSchedules } from './eventbridge-scheduler.js';
import { withIncidentMetrics } from './incident-metrics.js';
import { lazy } from './lazy.js';
import { stepFunctionsEscalation, stepFunctionsPostmortemReminders } from './step-functions-escalation.js';
import { systemClock, ulidGenerator } from './system.js';

export { logger, metrics };

/**
 * `ackKey`: the ack-link key, for the functions that serve ack links (see awsAckKey). `dynamodb`:
 * the function's one DynamoDB client, when it has more adapters on the table than these. It is the
 * one client built at load, not lazily: every route reads the table, and the document clients the
 * adapters make read its config as they are made.
 */
export function awsHandlerDeps(ackKey?: AckKeySource, dynamodb = new DynamoDBClient({})): HandlerDeps {
  const config = bundledConfig();
  const stateMachines = JSON.parse(requireEnv(ENV.stateMachines)) as Partial<Record<Severity, string>>;
  const sfn = lazy(() => new SFNClient({}));
  return {
    config,
    store: dynamoIncidentStore(dynamodb, requireEnv(ENV.tableName)),
    overrides: dynamoOverrides(dynamodb, requireEnv(ENV.tableName)),
    changes: dynamoChangeEvents(dynamodb, requireEnv(ENV.tableName)),
    escalation: stepFunctionsEscalation(sfn, stateMachines),
    postmortems: stepFunctionsPostmortemReminders(sfn, requireEnv(ENV.postmortemStateMachine)),
    events: withIncidentMetrics(
      eventBridgePublisher(
        lazy(() => new EventBridgeClient({})),
        requireEnv(ENV.eventBusName),
      ),
      metrics,
    ),
    clock: systemClock,
    ids: ulidGenerator(),
    logger,
    ackKey,
    schedules: awsOneTimeSchedules(systemClock),
  };
}
