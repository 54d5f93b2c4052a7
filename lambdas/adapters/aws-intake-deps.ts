/**
 * The intake function's dependencies on AWS: the handlers' deps plus maintenance windows and the
 * SNS signature checks (whose validator is loaded by the first signature to check, sns-signature.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IntakeHandlerDeps } from '../handlers/deps.js';
import { awsHandlerDeps, logger, metrics } from './aws-deps.js';
import { awsInboxDispatcher } from './aws-ports.js';
import { dynamoAlertInbox } from './dynamo-alert-inbox.js';
import { dynamoHeartbeats } from './dynamo-heartbeats.js';
import { dynamoIntakeRecords } from './dynamo-intake-records.js';
import { ENV, requireEnv } from './environment.js';
import { refusalCounter } from './incident-metrics.js';
import { httpsCertificateFetcher, httpsSubscriptionConfirmer, snsSignatureVerifier } from './sns-signature.js';

export { logger };

/** The intake function: the handlers' deps plus maintenance windows, notices and SNS signature checks. */
export function awsIntakeDeps(): IntakeHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  const base = awsHandlerDeps(undefined, dynamodb);
  // The stack's own alarm topic is known only at deploy time; the config may allow more topics.
  const deployedTopics = (process.env[ENV.allowedSnsTopicArns] ?? '').split(',').filter(Boolean);
  const snsTopicArns = [...new Set([...base.config.snsTopicArns, ...deployedTopics])];
  return {
    ...base,
    config: { ...base.config, snsTopicArns },
    records: dynamoIntakeRecords(dynamodb, requireEnv(ENV.tableName)),
    inbox: dynamoAlertInbox(dynamodb, requireEnv(ENV.tableName)),
    heartbeats: dynamoHeartbeats(dynamodb, requireEnv(ENV.tableName)),
    // The function receives its own inbox: Lambda sets its name in every function's environment.
    inboxDispatcher: awsInboxDispatcher(requireEnv('AWS_LAMBDA_FUNCTION_NAME')),
    sns: {
      verifier: snsSignatureVerifier(httpsCertificateFetcher),
      confirmSubscription: httpsSubscriptionConfirmer,
    },
    countRefusal: refusalCounter(metrics),
  };
}
