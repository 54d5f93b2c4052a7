/**
 * The intake function's dependencies on AWS: the handlers' deps plus maintenance windows, the
 * alert inbox, heartbeat monitors and the SNS signature checks. The signature checks (sns-signature.ts,
 * and its validator) are loaded by the first message to check (lazyPort, exportOnFirstUse).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { exportOnFirstUse } from '../core/load-once.js';
import type { IntakeHandlerDeps } from '../handlers/deps.js';
import { awsHandlerDeps, logger, metrics } from './aws-deps.js';
import { awsInboxDispatcher } from './aws-ports.js';
import { dynamoAlertInbox } from './dynamo-alert-inbox.js';
import { dynamoHeartbeats } from './dynamo-heartbeats.js';
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
    // Built at init, though few requests use them: loaded on first use, these 4 KB would take the
    // DynamoDB client, which they share with every request, out of the handler file into a chunk
    // of its own, one more file for every cold start to read.
    inbox: dynamoAlertInbox(dynamodb, tableName),
    heartbeats: dynamoHeartbeats(dynamodb, tableName),
    // The function receives its own inbox: Lambda sets its name in every function's environment.
    inboxDispatcher: awsInboxDispatcher(requireEnv('AWS_LAMBDA_FUNCTION_NAME')),
    sns: {
      verifier: lazyPort<SnsSignatureVerifier>({ verify: true }, async () => {
        const { snsSignatureVerifier, httpsCertificateFetcher } = await import('./sns-signature.js');
        return snsSignatureVerifier(httpsCertificateFetcher);
      }),
      confirmSubscription: exportOnFirstUse(() => import('./sns-signature.js'), 'httpsSubscriptionConfirmer'),
    },
    countRefusal: refusalCounter(metrics),
  };
}
