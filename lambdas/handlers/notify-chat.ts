/**
 * The chat rule's target: renders a lifecycle event as an Amazon Q Developer custom notification
 * and publishes it to the chat topic, which the Slack and Teams channel configurations subscribe
 * to. Events a channel does not hear about (pages, status-update reminders) publish nothing.
 */
import { chatNotification } from '../core/chat-notifications.js';
import { loadOnce } from '../core/load-once.js';
import type { ChatPublisher } from '../core/ports.js';
import type { Logger } from './logger.js';
import { describeValidation } from './validation.js';

const chatSchemas = loadOnce(() => import('../schemas/chat.js'));

export interface NotifyChatDeps {
  chat: ChatPublisher;
  /** Klaxon's HTTP API: the notification links to the console's incident page and the incident. */
  apiBaseUrl: string;
  logger: Logger;
}

export class InvalidLifecycleEventError extends Error {
  override name = 'InvalidLifecycleEventError';
}

export const makeNotifyChatHandler =
  (deps: NotifyChatDeps) =>
  async (event: unknown): Promise<{ published: boolean }> => {
    const { lifecycleRuleEventSchema } = await chatSchemas();
    const parsed = lifecycleRuleEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidLifecycleEventError(describeValidation('Not a Klaxon lifecycle event', parsed.error, 'event'));
    }
    // The schema checked the fields the renderer reads; the rest of the detail passes as published.
    const notification = chatNotification(
      parsed.data.detail as Parameters<typeof chatNotification>[0],
      deps.apiBaseUrl,
    );
    if (!notification) return { published: false };
    await deps.chat.publish(notification);
    deps.logger.info('Chat notification published', { id: notification.id });
    return { published: true };
  };
