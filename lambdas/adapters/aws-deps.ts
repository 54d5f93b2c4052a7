/**
 * Builds the handlers' dependencies on AWS, once per cold start: the config compiled into the
 * bundle, SDK clients, the table, state machines, topics and bus named by environment variables.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { type KlaxonConfig, parseConfig, type Severity } from '../core/config.js';
import type { AckKeySource } from '../core/ports.js';
import type { HandlerDeps, PagingHandlerDeps } from '../handlers/deps.js';
import { secretsManagerAckKey } from './ack-key.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { ENV, requireEnv } from './environment.js';
import { eventBridgePublisher } from './eventbridge-publisher.js';
import { snsPager } from './sns-pager.js';
import { stepFunctionsEscalation } from './step-functions-escalation.js';
import { systemClock, ulidGenerator } from './system.js';

export const logger = new Logger({ serviceName: 'klaxon' });

function bundledConfig(): KlaxonConfig {
  // Replaced at bundle time by the validated config's JSON (see CONFIG_DEFINE in environment.ts).
  const text = process.env.KLAXON_CONFIG;
  if (!text) throw new Error('No Klaxon config was compiled into this bundle');
  return parseConfig(JSON.parse(text), 'bundled config');
}

export function awsHandlerDeps(): HandlerDeps {
  const config = bundledConfig();
  const stateMachines = JSON.parse(requireEnv(ENV.stateMachines)) as Partial<Record<Severity, string>>;
  return {
    config,
    store: dynamoIncidentStore(new DynamoDBClient({}), requireEnv(ENV.tableName)),
    escalation: stepFunctionsEscalation(new SFNClient({}), stateMachines),
    events: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
    clock: systemClock,
    ids: ulidGenerator(),
    logger,
    ackKey: ackKey(),
  };
}

export function awsPagingDeps(): PagingHandlerDeps {
  return {
    config: bundledConfig(),
    store: dynamoIncidentStore(new DynamoDBClient({}), requireEnv(ENV.tableName)),
    pager: snsPager(new SNSClient({}), requireEnv(ENV.responderTopicArnPrefix)),
    events: eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)),
    clock: systemClock,
    apiBaseUrl: process.env[ENV.publicBaseUrl] ?? '',
    logger,
    ackKey: ackKey(),
  };
}

/** Ack links are on when the stack names the signing key's secret. */
function ackKey(): AckKeySource | undefined {
  const secret = process.env[ENV.ackKeySecret];
  return secret ? secretsManagerAckKey(new SecretsManagerClient({}), secret) : undefined;
}
