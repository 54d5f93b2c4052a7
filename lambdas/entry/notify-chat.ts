import { awsChatPublisher } from '../adapters/aws-ports.js';
import { logger } from '../adapters/aws-runtime.js';
import { ENV, requireEnv } from '../adapters/environment.js';
import { makeNotifyChatHandler } from '../handlers/notify-chat.js';

export const handler = makeNotifyChatHandler({
  chat: awsChatPublisher(requireEnv(ENV.chatTopicArn)),
  apiBaseUrl: process.env[ENV.publicBaseUrl] ?? '',
  logger,
});
