/**
 * The custom notification shape Amazon Q Developer in chat applications accepts, transcribed from
 * its documentation ("Event schema" and "Parameter details"):
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 * version must be "1.0"; source must be "custom"; id optional; content.textType optional, and only
 * "client-markdown" is supported; content.title required; description, nextSteps, keywords optional;
 * metadata and each of its fields optional; additionalContext maps keys to strings;
 * enableCustomActions is a boolean. Strict: a field the page does not name is refused.
 */
import * as z from 'zod';

export const amazonQCustomNotificationSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().min(1),
    description: z.string().optional(),
    nextSteps: z.array(z.string()).optional(),
    keywords: z.array(z.string()).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().optional(),
      summary: z.string().optional(),
      eventType: z.string().optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
      enableCustomActions: z.boolean().optional(),
    })
    .optional(),
});
