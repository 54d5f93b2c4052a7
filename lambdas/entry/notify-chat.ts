import { SNSClient } from '@aws-sdk/client-sns';
import { logger } from '../adapters/aws-runtime.js';
import { ENV, requireEnv } from '../adapters/environment.js';
import { lazy } from '../adapters/lazy.js';
import { snsChatPublisher } from '../adapters/sns-chat-publisher.js';
import { makeNotifyChatHandler } from '../handlers/notify-chat.js';

export const handler = makeNotifyChatHandler({
  chat: snsChatPublisher(
    lazy(() => new SNSClient({})),
    requireEnv(ENV.chatTopicArn),
  ),
  apiBaseUrl: process.env[ENV.publicBaseUrl] ?? '',
  logger,
});
