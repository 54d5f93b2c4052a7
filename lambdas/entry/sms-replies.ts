import { awsSmsReplyDeps, logger } from '../adapters/aws-sms-reply-deps.js';
import { makeSmsReplyHandler } from '../handlers/receive-sms-reply.js';

export const handler = makeSmsReplyHandler({ ...awsSmsReplyDeps(), logger });
