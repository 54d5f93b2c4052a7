/**
 * The SMS reply function's dependencies on AWS: the handlers' (table, escalations, events) plus
 * SNS for the answers and the table's record of replies handled.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SmsReplyHandlerDeps } from '../handlers/receive-sms-reply.js';
import { awsHandlerDeps, logger } from './aws-deps.js';
import { dynamoSmsReplies } from './dynamo-sms-replies.js';
import { ENV, requireEnv } from './environment.js';
import { lazy } from './lazy.js';
import { snsSmsSender } from './sns-sms-sender.js';

export { logger };

export function awsSmsReplyDeps(): SmsReplyHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    ...awsHandlerDeps(undefined, dynamodb),
    sms: snsSmsSender(lazy(() => new SNSClient({}))),
    smsReplies: dynamoSmsReplies(dynamodb, requireEnv(ENV.tableName)),
  };
}
