/**
 * The intake function's dependencies on AWS: the handlers' deps plus maintenance windows, the
 * alert inbox, heartbeat monitors and the SNS signature checks. Only the intake records are read by
 * most requests; the inbox, the heartbeats and the signature checks (sns-signature.ts, and its
 * validator) are loaded by the first call that uses them (lazyPort, onFirstUse).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AlertInboxStore } from '../core/alert-inbox.js';
import type { HeartbeatStore } from '../core/heartbeats.js';
import { onFirstUse } from '../core/load-once.js';
import type { IntakeHandlerDeps } from '../handlers/deps.js';
import { awsHandlerDeps, logger, metrics } from './aws-deps.js';
import { awsInboxDispatcher } from './aws-ports.js';
import { dynamoIntakeRecords } from './dynamo-intake-records.js';
import { ENV, requireEnv } from './environment.js';
import { refusalCounter } from './incident-metrics.js';
import { lazyPort } from './lazy.js';
import type { SnsSignatureVerifier } from './sns-signature.js';

export { logger };

/** The intake function: the handlers' deps plus maintenance windows, notices and SNS signature checks. */
export function awsIntakeDeps(): IntakeHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  const base = awsHandlerDeps(undefined, dynamodb);
  const tableName = requireEnv(ENV.tableName);
  // The stack's own alarm topic is known only at deploy time; the config may allow more topics.
  const deployedTopics = (process.env[ENV.allowedSnsTopicArns] ?? '').split(',').filter(Boolean);
  const snsTopicArns = [...new Set([...base.config.snsTopicArns, ...deployedTopics])];
  return {
    ...base,
    config: { ...base.config, snsTopicArns },
    records: dynamoIntakeRecords(dynamodb, tableName),
    inbox: lazyPort<AlertInboxStore>({ put: true, get: true, keepOnly: true, delete: true, pending: true }, async () =>
      (await import('./dynamo-alert-inbox.js')).dynamoAlertInbox(dynamodb, tableName),
    ),
    heartbeats: lazyPort<HeartbeatStore>(
      {
        addMonitor: true,
        removeMonitor: true,
        getMonitor: true,
        listMonitors: true,
        getState: true,
        getStates: true,
        recordPing: true,
        recordScheduled: true,
        markMissing: true,
        clearMissing: true,
      },
      async () => (await import('./dynamo-heartbeats.js')).dynamoHeartbeats(dynamodb, tableName),
    ),
    // The function receives its own inbox: Lambda sets its name in every function's environment.
    inboxDispatcher: awsInboxDispatcher(requireEnv('AWS_LAMBDA_FUNCTION_NAME')),
    sns: {
      verifier: lazyPort<SnsSignatureVerifier>({ verify: true }, async () => {
        const { snsSignatureVerifier, httpsCertificateFetcher } = await import('./sns-signature.js');
        return snsSignatureVerifier(httpsCertificateFetcher);
      }),
      confirmSubscription: onFirstUse(async () => (await import('./sns-signature.js')).httpsSubscriptionConfirmer),
    },
    countRefusal: refusalCounter(metrics),
  };
}
