/**
 * The End User Messaging SMS and Voice requests for one page: a text-to-speech call and an SMS,
 * each carrying the page's reference as `Context` so their delivery events name the page
 * (delivery-events.ts). Free of the client, like sns-publish.ts: the local outbox builds the same
 * requests and refuses what the API would.
 */
import type { SendTextMessageRequest, SendVoiceMessageRequest } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { pageContext } from '../core/delivery-events.js';
import type { PageDelivery } from '../core/ports.js';

/** SendVoiceMessage's limit on a MessageBody of type TEXT, in characters. */
export const VOICE_TEXT_MAX_CHARS = 3000;

/** Where the pages leave from: the deployment's origination identity and its configuration set. */
export interface SmsVoiceOrigin {
  originationIdentity: string;
  configurationSetName: string;
}

const context = (delivery: PageDelivery) => (delivery.page ? { Context: pageContext(delivery.page) } : {});

/** Plain text, not SSML: a sender's title cannot become markup in the call. */
export function voiceMessageInput(
  delivery: PageDelivery & { voice: string },
  origin: SmsVoiceOrigin,
): SendVoiceMessageRequest {
  return {
    DestinationPhoneNumber: delivery.responder.phone,
    OriginationIdentity: origin.originationIdentity,
    ConfigurationSetName: origin.configurationSetName,
    MessageBody: delivery.voice,
    MessageBodyTextType: 'TEXT',
    VoiceId: 'JOANNA',
    ...context(delivery),
  };
}

/** Transactional: a page is time-critical (carriers route it ahead of marketing traffic). */
export function textMessageInput(
  delivery: PageDelivery & { sms: string },
  origin: SmsVoiceOrigin,
): SendTextMessageRequest {
  return {
    DestinationPhoneNumber: delivery.responder.phone,
    OriginationIdentity: origin.originationIdentity,
    ConfigurationSetName: origin.configurationSetName,
    MessageBody: delivery.sms,
    MessageType: 'TRANSACTIONAL',
    ...context(delivery),
  };
}

/** End User Messaging's limits on a message's `Context` (its ContextMap shape). */
export const CONTEXT_MAX_ENTRIES = 5;
export const CONTEXT_VALUE_MAX_CHARS = 800;

/** Why SendTextMessage or SendVoiceMessage would refuse this `Context`, or undefined. */
function contextRefusal(context: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(context ?? {});
  if (entries.length > CONTEXT_MAX_ENTRIES) {
    return `Context must have at most ${CONTEXT_MAX_ENTRIES} entries (it has ${entries.length})`;
  }
  const long = entries.find(([, value]) => value.length === 0 || value.length > CONTEXT_VALUE_MAX_CHARS);
  return long ? `Context value ${long[0]} must be 1 to ${CONTEXT_VALUE_MAX_CHARS} characters` : undefined;
}

/** Why SendVoiceMessage would refuse this request (a ValidationException's words), or undefined. */
export function voiceRefusal(input: SendVoiceMessageRequest): string | undefined {
  const length = input.MessageBody?.length ?? 0;
  if (length === 0 || length > VOICE_TEXT_MAX_CHARS) {
    return `MessageBody must be 1 to ${VOICE_TEXT_MAX_CHARS} characters of text (it is ${length})`;
  }
  return contextRefusal(input.Context);
}

/** Why SendTextMessage would refuse this request's `Context` (a ValidationException's words), or undefined. */
export const textRefusal = (input: SendTextMessageRequest): string | undefined => contextRefusal(input.Context);
