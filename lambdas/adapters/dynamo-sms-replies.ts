/** SmsReplyRecords on the single table: one small item per inbound SMS handled, expiring after 7 days. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SMS_REPLY_KEPT_SECONDS, type SmsReplyRecords, UNKNOWN_SENDER_ANSWER_SECONDS } from '../core/sms-replies.js';
import { conditionHeld } from './dynamo-conditions.js';
import { smsReplyKey, smsUnknownSenderKey, TTL_ATTRIBUTE } from './table-layout.js';

export function dynamoSmsReplies(client: DynamoDBClient, tableName: string): SmsReplyRecords {
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = tableName;
  return {
    async handled(messageId) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: smsReplyKey(messageId), ConsistentRead: true, ProjectionExpression: 'pk' }),
      );
      return Item !== undefined;
    },
    async recordHandled(messageId, at, outcome) {
      await doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...smsReplyKey(messageId),
            kind: 'sms-reply',
            at,
            outcome,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + SMS_REPLY_KEPT_SECONDS,
          },
        }),
      );
    },
    async claimUnknownSenderAnswer(phone, at) {
      const seconds = Math.floor(Date.parse(at) / 1000);
      return conditionHeld(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...smsUnknownSenderKey(phone),
              kind: 'sms-unknown-sender',
              at,
              [TTL_ATTRIBUTE]: seconds + UNKNOWN_SENDER_ANSWER_SECONDS,
            },
            // The TTL attribute is when the claim lapses; DynamoDB deletes expired items only eventually.
            ConditionExpression: 'attribute_not_exists(pk) OR #expires <= :now',
            ExpressionAttributeNames: { '#expires': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': seconds },
          }),
        ),
      );
    },
  };
}
