/**
 * End User Messaging SMS and Voice's event record, as its configuration set's SNS event
 * destination publishes it (the SNS message is the record's JSON). Only the fields Klaxon reads
 * are checked; the record has more (origination and destination numbers, prices, mcc, mnc…).
 */
import * as z from 'zod';

export const deliveryEventRecordSchema = z.object({
  eventType: z.string().min(1),
  eventVersion: z.string().optional(),
  eventTimestamp: z.number().optional(),
  isFinal: z.boolean().optional(),
  messageId: z.string().min(1),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
});

/** The SNS event Lambda receives from the event destination's topic. */
export const snsDeliveryEventsSchema = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({ MessageId: z.string().optional(), TopicArn: z.string().optional(), Message: z.string() }),
      }),
    )
    .min(1),
});
