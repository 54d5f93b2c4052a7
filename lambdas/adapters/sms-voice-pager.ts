/**
 * Pager for a deployment with an End User Messaging origination identity: the call
 * (SendVoiceMessage) and the SMS (SendTextMessage) leave from that identity with the page's
 * reference in their `Context`, so a carrier's rejection comes back tied to the page; the email
 * still goes through the responder's SNS topic. The call goes first: when the API refuses it,
 * nothing else was sent and the page task's retry starts clean.
 */
import {
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { Pager } from '../core/ports.js';
import {
  type SmsVoiceOrigin,
  textMessageInput,
  textRefusal,
  voiceMessageInput,
  voiceRefusal,
} from './sms-voice-send.js';

export function smsVoicePager(emailPager: Pager, client: PinpointSMSVoiceV2Client, origin: SmsVoiceOrigin): Pager {
  return {
    async page(delivery) {
      const { sms, voice, ...rest } = delivery;
      const text = sms !== undefined ? textMessageInput({ ...delivery, sms }, origin) : undefined;
      // Refused before anything is sent, as a refused call is: the retry starts clean.
      const textRefused = text && textRefusal(text);
      if (textRefused) throw new Error(`Cannot text ${delivery.responder.id}: ${textRefused}`);
      if (voice !== undefined) {
        const input = voiceMessageInput({ ...delivery, voice }, origin);
        const refusal = voiceRefusal(input);
        if (refusal) throw new Error(`Cannot call ${delivery.responder.id}: ${refusal}`);
        await client.send(new SendVoiceMessageCommand(input));
      }
      if (text) await client.send(new SendTextMessageCommand(text));
      if (rest.email !== undefined) await emailPager.page(rest);
    },
  };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newPinpointSMSVoiceV2Client = () => new PinpointSMSVoiceV2Client({});
