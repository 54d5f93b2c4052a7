/**
 * End User Messaging's delivery events, as Klaxon reads them: which events mean a page did not
 * arrive, and how a page names itself in the `Context` its SMS and call carry (the event brings
 * that context back, so a carrier's rejection is tied to the incident, run, step and person).
 */
import type { Channel } from './config.js';
import { CHANNELS } from './config-terms.js';
import type { DeliveryFailure } from './paging.js';
import type { PageRef } from './ports.js';

/**
 * The event types that say a message will not arrive. A call that rang unanswered (VOICE_BUSY,
 * VOICE_NO_ANSWER) is not among them: the ladder's next "unless acknowledged" step is the answer
 * to a person who did not pick up. The configuration set's event destination sends only these.
 */
export const DELIVERY_FAILURE_EVENT_TYPES = [
  'TEXT_BLOCKED',
  'TEXT_TTL_EXPIRED',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_UNREACHABLE',
  'TEXT_SPAM',
  'TEXT_UNKNOWN',
  'VOICE_FAILED',
  'VOICE_TTL_EXPIRED',
] as const;

/** The fields of an End User Messaging event record Klaxon reads (the record has more). */
export interface DeliveryEventRecord {
  eventType: string;
  messageId: string;
  isFinal?: boolean;
  messageStatus?: string;
  messageStatusDescription?: string;
  context?: Record<string, string>;
}

/**
 * A page's reference as End User Messaging `Context` (string values, sent back in every event).
 * At most five entries, End User Messaging's limit: the run and the step share one (`2/1`), so a
 * fallback page, which also names whom it stood in for, still fits.
 */
export function pageContext(page: PageRef): Record<string, string> {
  return {
    incidentId: page.incidentId,
    step: `${page.run}/${page.step}`,
    responder: page.responder,
    channels: page.channels.join('+'),
    ...(page.fallbackFor ? { fallbackFor: page.fallbackFor } : {}),
  };
}

function pageFromContext(context: Record<string, string> | undefined): PageRef | undefined {
  if (!context) return undefined;
  const { incidentId, responder, fallbackFor } = context;
  const [runText, stepText, ...rest] = (context.step ?? '').split('/');
  const run = rest.length === 0 && runText ? Number(runText) : Number.NaN;
  const step = stepText ? Number(stepText) : Number.NaN;
  const channels = (context.channels ?? '').split('+');
  if (!incidentId || !responder || !Number.isInteger(run) || run < 1 || !Number.isInteger(step) || step < 0) {
    return undefined;
  }
  if (!channels.every((channel): channel is Channel => (CHANNELS as readonly string[]).includes(channel))) {
    return undefined;
  }
  return { incidentId, run, step, responder, channels, ...(fallbackFor ? { fallbackFor } : {}) };
}

/**
 * The failed page an event reports, or why the event asks nothing of Klaxon: a success, a
 * failure that is not final (End User Messaging still tries), or a message that was no ladder page
 * (a reminder, a handoff notice: their failure pages nobody else).
 */
export function deliveryFailureOf(record: DeliveryEventRecord): DeliveryFailure | { ignored: string } {
  if (!(DELIVERY_FAILURE_EVENT_TYPES as readonly string[]).includes(record.eventType)) {
    return { ignored: `${record.eventType} is no delivery failure` };
  }
  if (record.isFinal === false) return { ignored: `${record.eventType} is not final` };
  const page = pageFromContext(record.context);
  if (!page) return { ignored: `message ${record.messageId} was no ladder page` };
  const reason = [record.eventType, record.messageStatusDescription].filter(Boolean).join(': ');
  return {
    page,
    channel: record.eventType.startsWith('VOICE_') ? 'voice' : 'sms',
    messageId: record.messageId,
    reason,
  };
}
