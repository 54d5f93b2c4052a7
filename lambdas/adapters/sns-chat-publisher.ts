/**
 * Publishes chat notifications to the chat topic: the message body is the custom notification's
 * JSON, as Amazon Q Developer in chat applications reads it. The local outbox builds the same
 * publish and refuses what SNS would.
 */
import { PublishCommand, type PublishInput, type SNSClient } from '@aws-sdk/client-sns';
import type { ChatNotification } from '../core/chat-notifications.js';
import type { ChatPublisher } from '../core/ports.js';
import { snsRefusal } from './sns-publish.js';

export function chatPublishInput(notification: ChatNotification, topicArn: string): PublishInput {
  return { TopicArn: topicArn, Message: JSON.stringify(notification) };
}

/** Why SNS would refuse the publish, or undefined (see snsRefusal). */
export const chatPublishRefusal = (input: PublishInput): string | undefined => snsRefusal(input);

export function snsChatPublisher(client: SNSClient, topicArn: string): ChatPublisher {
  return {
    publish: async (notification) => {
      await client.send(new PublishCommand(chatPublishInput(notification, topicArn)));
    },
  };
}
