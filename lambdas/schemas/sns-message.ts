/**
 * The envelope SNS POSTs to an HTTPS subscription (Content-Type text/plain, body JSON). Checked
 * for shape before its signature is verified, so a malformed body gets a 400 naming the field.
 */
import * as z from 'zod';

const common = {
  MessageId: z.string().min(1).max(100),
  TopicArn: z.string().min(1).max(1024),
  Message: z.string().max(256 * 1024),
  Timestamp: z.iso.datetime({ message: 'must be an ISO 8601 time in UTC, as SNS writes it' }),
  SignatureVersion: z.enum(['1', '2'], { message: "must be '1' or '2'" }),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1).max(2048),
};

export const snsMessageSchema = z.discriminatedUnion(
  'Type',
  [
    z.looseObject({
      Type: z.literal('Notification'),
      ...common,
      Subject: z.string().max(100).nullish(),
      UnsubscribeURL: z.string().optional(),
    }),
    z.looseObject({
      Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
      ...common,
      Token: z.string().min(1),
      SubscribeURL: z.string().min(1).max(2048),
    }),
  ],
  { error: () => "must be 'Notification', 'SubscriptionConfirmation' or 'UnsubscribeConfirmation'" },
);

export type SnsMessage = z.infer<typeof snsMessageSchema>;
