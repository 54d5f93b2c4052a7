import { awsHandlerDeps } from '../adapters/aws-deps.js';
import { makeChatActionHandler } from '../handlers/chat-action.js';

export const handler = makeChatActionHandler(awsHandlerDeps());
