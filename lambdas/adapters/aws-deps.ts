/**
 * Builds the handlers' dependencies on AWS, once per cold start: the config compiled into the
 * bundle, SDK clients, the table, state machines, topics and bus named by environment variables.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { type KlaxonConfig, parseConfig, type Severity } from '../core/config.js';
import type { AckKeySource } from '../core/ports.js';
import type { HandlerDeps, IntakeHandlerDeps, PagingHandlerDeps } from '../handlers/deps.js';
import { dynamoHandoffRecords } from './dynamo-handoff-records.js';
import { dynamoIncidentStore } from './dynamo-incident-store.js';
import { dynamoIntakeRecords } from './dynamo-intake-records.js';
import { ENV, requireEnv } from './environment.js';
import { eventBridgePublisher } from './eventbridge-publisher.js';
import { METRICS_NAMESPACE, withIncidentMetrics } from './incident-metrics.js';
import { MaskingLogFormatter } from './masking-log-formatter.js';
import { type SigningKeySource, secretsManagerSigningKey } from './secrets-manager-signing-key.js';
import { snsPager } from './sns-pager.js';
import { httpsCertificateFetcher, httpsSubscriptionConfirmer, snsSignatureVerifier } from './sns-signature.js';
import { stepFunctionsEscalation, stepFunctionsPostmortemReminders } from './step-functions-escalation.js';
import { systemClock, ulidGenerator } from './system.js';

export const logger = new Logger({ serviceName: 'klaxon', logFormatter: new MaskingLogFormatter() });

/** EMF metrics; the service dimension comes from POWERTOOLS_SERVICE_NAME, which the stack sets. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

/**
 * The acknowledge-link signing key, read from Secrets Manager on first use and then kept for the
 * life of the container. Only the functions the stack gives ACK_SIGNING_SECRET_ARN may call it.
 */
export function awsAckSigningKey(): SigningKeySource {
  return secretsManagerSigningKey(new SecretsManagerClient({}), requireEnv(ENV.ackSigningSecretArn));
}

function bundledConfig(): KlaxonConfig {
  // Replaced at bundle time by the validated config's JSON (see CONFIG_DEFINE in environment.ts).
  const text = process.env.KLAXON_CONFIG;
  if (!text) throw new Error('No Klaxon config was compiled into this bundle');
  return parseConfig(JSON.parse(text), 'bundled config');
}

export function awsHandlerDeps(): HandlerDeps {
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
    ackKey: ackKey(),
  };
}

export function awsPagingDeps(): PagingHandlerDeps {
  return {
    config: bundledConfig(),
    store: dynamoIncidentStore(new DynamoDBClient({}), requireEnv(ENV.tableName)),
    pager: snsPager(new SNSClient({}), requireEnv(ENV.responderTopicArnPrefix)),
    events: withIncidentMetrics(eventBridgePublisher(new EventBridgeClient({}), requireEnv(ENV.eventBusName)), metrics),
    clock: systemClock,
    apiBaseUrl: process.env[ENV.publicBaseUrl] ?? '',
    logger,
    handoffs: dynamoHandoffRecords(new DynamoDBClient({}), requireEnv(ENV.tableName)),
    ackKey: ackKey(),
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

/**
 * Ack links are on when the stack names the signing key's secret (read once per cold start,
 * through the same adapter the stack's secret is granted for).
 */
function ackKey(): AckKeySource | undefined {
  const secretArn = process.env[ENV.ackSigningSecretArn];
  if (!secretArn) return undefined;
  const source = secretsManagerSigningKey(new SecretsManagerClient({}), secretArn);
  return { key: () => source.signingKey() };
}
