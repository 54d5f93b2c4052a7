/**
 * What AWS End User Messaging SMS publishes to a number's two-way SNS topic for each SMS it
 * receives (docs: "Example of a two-way SMS message payload for Amazon SNS topics"), and the
 * SNS-to-Lambda event that carries it. The local runtime's `POST /_local/sms/inbound` builds
 * exactly this.
 */
import * as z from 'zod';

export const inboundSmsPayloadSchema = z.looseObject({
  originationNumber: z.string().min(1).max(32),
  destinationNumber: z.string().min(1).max(32),
  messageKeyword: z.string().max(64).optional(),
  messageBody: z.string().max(1600),
  inboundMessageId: z.string().min(1).max(256),
  previousPublishedMessageId: z.string().max(256).optional(),
});
export type InboundSmsPayload = z.infer<typeof inboundSmsPayloadSchema>;

/** The Lambda event of an SNS subscription: one record per message. */
export const snsLambdaEventSchema = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        EventSource: z.literal('aws:sns'),
        Sns: z.looseObject({ MessageId: z.string(), TopicArn: z.string(), Message: z.string() }),
      }),
    )
    .min(1),
});
