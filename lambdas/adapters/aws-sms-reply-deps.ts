/**
 * The SMS reply function's dependencies on AWS: the handlers' (table, escalations, events) plus
 * SNS for the answers (loaded by the first answer, aws-ports.ts) and the table's record of replies
 * handled.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SmsReplyHandlerDeps } from '../handlers/receive-sms-reply.js';
import { awsHandlerDeps, logger } from './aws-deps.js';
import { awsSmsSender } from './aws-ports.js';
import { dynamoSmsReplies } from './dynamo-sms-replies.js';
import { ENV, requireEnv } from './environment.js';

export { logger };

export function awsSmsReplyDeps(): SmsReplyHandlerDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    ...awsHandlerDeps(undefined, dynamodb),
    sms: awsSmsSender(),
    smsReplies: dynamoSmsReplies(dynamodb, requireEnv(ENV.tableName)),
  };
}
