/**
 * Answers to SMS replies on AWS: an SNS publish straight to the phone number that texted, from
 * the origination number it texted (SNS's `AWS.MM.SMS.OriginationNumber` attribute), so the
 * answer lands in the same conversation. A number that is no responder's has no topic to publish
 * to, which is why this is not the pager.
 */
import { type MessageAttributeValue, PublishCommand, type PublishInput, SNSClient } from '@aws-sdk/client-sns';
import type { SmsAnswer, SmsSender } from '../core/sms-replies.js';

export function smsAnswerPublishInput(answer: SmsAnswer): PublishInput {
  const attributes: Record<string, MessageAttributeValue> = {
    // A reply is expected now, not when the carrier finds it cheapest.
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: answer.from },
  };
  return { PhoneNumber: answer.to, Message: answer.body, MessageAttributes: attributes };
}

export function snsSmsSender(client: SNSClient): SmsSender {
  return {
    async send(answer) {
      await client.send(new PublishCommand(smsAnswerPublishInput(answer)));
    },
  };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newSNSClient = () => new SNSClient({});
