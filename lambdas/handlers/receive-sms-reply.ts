/**
 * The SMS reply function: subscribed to the two-way SMS topic, it hands each inbound SMS to the
 * core (lambdas/core/sms-replies.ts). A record that is not an inbound SMS is logged and skipped:
 * SNS would redeliver it forever, and no retry can make it one.
 */
import middy from '@middy/core';
import { loadOnce } from '../core/load-once.js';
import { handleSmsReply, type SmsReplyDeps, type SmsReplyResult } from '../core/sms-replies.js';
import type { Logger } from './logger.js';
import { describeValidation } from './validation.js';

const inboundSmsSchemas = loadOnce(() => import('../schemas/inbound-sms.js'));

export class InvalidSmsEventError extends Error {
  override name = 'InvalidSmsEventError';
}

export type SmsReplyHandlerDeps = SmsReplyDeps & { logger: Logger };

export const receiveSmsReply =
  (deps: SmsReplyHandlerDeps) =>
  async (event: unknown): Promise<SmsReplyResult[]> => {
    const { inboundSmsPayloadSchema, snsLambdaEventSchema } = await inboundSmsSchemas();
    const parsed = snsLambdaEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidSmsEventError(describeValidation('Not an SNS event', parsed.error, 'event'));
    }
    const results: SmsReplyResult[] = [];
    for (const record of parsed.data.Records) {
      let payload: unknown;
      try {
        payload = JSON.parse(record.Sns.Message);
      } catch {
        payload = undefined;
      }
      const sms = inboundSmsPayloadSchema.safeParse(payload);
      if (!sms.success) {
        deps.logger.warn('Skipped an SNS message that is not an inbound SMS', {
          messageId: record.Sns.MessageId,
          topicArn: record.Sns.TopicArn,
          problem: describeValidation('Not an inbound SMS', sms.error, 'message'),
        });
        continue;
      }
      const result = await handleSmsReply(deps, {
        from: sms.data.originationNumber,
        to: sms.data.destinationNumber,
        body: sms.data.messageBody,
        messageId: sms.data.inboundMessageId,
      });
      deps.logger.info(`SMS reply: ${result.outcome}`, { ...result, inboundMessageId: sms.data.inboundMessageId });
      results.push(result);
    }
    return results;
  };

export const makeSmsReplyHandler = (deps: SmsReplyHandlerDeps) => middy().handler(receiveSmsReply(deps));
