/**
 * Publishes chat notifications to the chat topic: the message body is the custom notification's
 * JSON, as Amazon Q Developer in chat applications reads it. The local outbox builds the same
 * publish and refuses what SNS would.
 */
import { PublishCommand, type PublishInput, SNSClient } from '@aws-sdk/client-sns';
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

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newSNSClient = () => new SNSClient({});
