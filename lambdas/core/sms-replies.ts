/**
 * SMS replies: a responder answers a page from the lock screen with `ACK 142` or `RES 142` (or
 * the short `A142`, `R142` a page suggests), and Klaxon acknowledges or resolves incident #142 as
 * that responder and texts back what it did. Two-way SMS on the origination number delivers each
 * reply to an SNS topic (AWS End User Messaging SMS); the local runtime delivers the same payload.
 *
 * Who may answer: any responder in the config, from the phone the config registers for them, as
 * anyone on the roster may acknowledge or resolve through the API, the CLI or the console. A
 * reply that changes nothing (an unknown number, an unknown or resolved incident, a text that is
 * not a command) gets an SMS that says why, so nobody goes back to sleep thinking it worked.
 *
 * SNS delivers at least once: a reply already handled (by its inboundMessageId) is not handled
 * again. It is recorded as handled once its answer is sent; a redelivery after a crash before that
 * acts again, which the transitions make harmless ("already acknowledged").
 */
import type { Responder } from './config.js';
import { smsCapacity, toGsm7, truncateGsm7 } from './gsm7.js';
import { type Incident, incidentRef } from './incident.js';
import type { CoreDeps } from './ports.js';
import { TransitionRefusedError } from './refusals.js';
import { acknowledgeIncident, resolveIncident } from './responder-actions.js';
import { oneLine } from './sender-text.js';

/** One inbound SMS, as End User Messaging's two-way SMS publishes it to the SNS topic. */
export interface InboundSms {
  /** The responder's phone (E.164): `originationNumber` in the payload. */
  from: string;
  /** Klaxon's number the reply was sent to: `destinationNumber`, and where the answer comes from. */
  to: string;
  body: string;
  /** `inboundMessageId`: unique per message, the same on every redelivery. */
  messageId: string;
}

/** An SMS Klaxon sends to whoever texted it (SNS to a phone number on AWS, the outbox locally). */
export interface SmsAnswer {
  to: string;
  /** The origination number the reply came in on: the answer goes out from it. */
  from: string;
  body: string;
  /** The responder it goes to, when the number is registered. */
  responder?: string;
  incidentId?: string;
}

export interface SmsSender {
  send(answer: SmsAnswer): Promise<void>;
}

/** Which inbound SMS were handled (kept 7 days, SNS's retries are over long before). */
export interface SmsReplyRecords {
  handled(messageId: string): Promise<boolean>;
  recordHandled(messageId: string, at: string, outcome: SmsReplyOutcome): Promise<void>;
  /**
   * Claims the one answer a number that is no responder's gets in UNKNOWN_SENDER_ANSWER_SECONDS
   * (`phone` as digits): true when none was claimed for it in that time before `at`.
   */
  claimUnknownSenderAnswer(phone: string, at: string): Promise<boolean>;
}

export const SMS_REPLY_KEPT_SECONDS = 7 * 24 * 3600;

/**
 * A number that is no responder's is told why nothing happened once a day, not at every text: an
 * auto-responder (another system's number, a carrier's "message received") would answer each
 * answer, and the two would text each other for as long as either paid; a stranger could make
 * Klaxon text any number of messages at its owner's cost.
 */
export const UNKNOWN_SENDER_ANSWER_SECONDS = 24 * 3600;

export type SmsReplyDeps = CoreDeps & { sms: SmsSender; smsReplies: SmsReplyRecords };

export type SmsReplyOutcome =
  | 'acknowledged'
  | 'resolved'
  | 'already-acknowledged'
  | 'already-resolved'
  | 'unknown-sender'
  | 'unknown-incident'
  | 'not-understood'
  /** SNS delivered this very message again: nothing done, nothing sent. */
  | 'already-handled';

export type SmsCommand = { action: 'acknowledge' | 'resolve'; number: number };

const COMMAND = /^(ACK|ACKNOWLEDGE|A|RES|RESOLVE|R)\s*#?\s*([1-9]\d{0,15})[.!]?$/;
const RESOLVING = new Set(['RES', 'RESOLVE', 'R']);

/** The command a reply holds, or undefined when it is anything else (ambiguous, or no number). */
export function parseSmsCommand(body: string): SmsCommand | undefined {
  const match = COMMAND.exec(body.trim().replace(/\s+/g, ' ').toUpperCase());
  if (!match?.[1] || !match[2]) return undefined;
  return { action: RESOLVING.has(match[1]) ? 'resolve' : 'acknowledge', number: Number(match[2]) };
}

/** The same number however it was written: `+1 (555) 010-0101` is `+15550100101`. */
const digitsOf = (phone: string) => phone.replace(/[^\d]/g, '');

export function responderByPhone(responders: readonly Responder[], phone: string): Responder | undefined {
  const digits = digitsOf(phone);
  return digits === '' ? undefined : responders.find((responder) => digitsOf(responder.phone) === digits);
}

const HOW = 'Reply ACK 142 to acknowledge or RES 142 to resolve incident #142.';

export interface SmsReplyResult {
  outcome: SmsReplyOutcome;
  /** Whether an SMS answered it (an unknown number is answered once a day); absent when already handled. */
  answered?: boolean;
  incidentId?: string;
  responder?: string;
}

export async function handleSmsReply(deps: SmsReplyDeps, sms: InboundSms): Promise<SmsReplyResult> {
  if (await deps.smsReplies.handled(sms.messageId)) return { outcome: 'already-handled' };
  const result = await decideAndAct(deps, sms);
  const answered =
    result.outcome !== 'unknown-sender' ||
    (await deps.smsReplies.claimUnknownSenderAnswer(digitsOf(sms.from), deps.clock.now().toISOString()));
  if (answered) {
    await deps.sms.send({
      to: sms.from,
      from: sms.to,
      // Two segments at most: the answer is Klaxon's, and a quoted reply is cut to fit.
      body: truncateGsm7(toGsm7(`Klaxon: ${result.answer}`), smsCapacity(2)),
      ...(result.responder ? { responder: result.responder } : {}),
      ...(result.incident ? { incidentId: result.incident.id } : {}),
    });
  }
  await deps.smsReplies.recordHandled(sms.messageId, deps.clock.now().toISOString(), result.outcome);
  return {
    outcome: result.outcome,
    answered,
    ...(result.incident ? { incidentId: result.incident.id } : {}),
    ...(result.responder ? { responder: result.responder } : {}),
  };
}

interface Decided {
  outcome: Exclude<SmsReplyOutcome, 'already-handled'>;
  answer: string;
  responder?: string;
  incident?: Incident;
}

async function decideAndAct(deps: SmsReplyDeps, sms: InboundSms): Promise<Decided> {
  const responder = responderByPhone(deps.config.responders, sms.from);
  if (!responder) {
    return {
      outcome: 'unknown-sender',
      answer: `this number is not a responder's registered phone, so nothing was done. Acknowledge from your own phone, or with klaxon ack.`,
    };
  }
  const command = parseSmsCommand(sms.body);
  if (!command) {
    return {
      outcome: 'not-understood',
      responder: responder.id,
      answer: `"${oneLine(sms.body, 30)}" is not a command, so nothing was done. ${HOW}`,
    };
  }
  const found = await deps.store.findByNumber(command.number);
  if (!found) {
    return {
      outcome: 'unknown-incident',
      responder: responder.id,
      answer: `there is no incident #${command.number}, so nothing was done. Check the number in the page.`,
    };
  }
  const decided = await act(deps, found, responder, command);
  await deps.store.appendTimeline(found.id, `sms-reply#${sms.messageId}`, {
    at: deps.clock.now().toISOString(),
    type: 'sms-reply',
    by: responder.id,
    message: `SMS reply from ${responder.id}: "${oneLine(sms.body, 60)}" (${decided.outcome})`,
    outcome: decided.outcome,
  });
  return { ...decided, responder: responder.id };
}

async function act(
  deps: SmsReplyDeps,
  incident: Incident,
  responder: Responder,
  command: SmsCommand,
): Promise<Omit<Decided, 'responder'>> {
  const ref = incidentRef(incident);
  try {
    if (command.action === 'acknowledge') {
      const result = await acknowledgeIncident(deps, incident.id, responder.id, { via: 'sms' });
      const now = result.incident;
      if (result.changed) {
        return {
          outcome: 'acknowledged',
          incident: now,
          answer: `${ref} acknowledged by ${responder.name}; the escalation stops. Reply RES ${now.number} once it is resolved.`,
        };
      }
      return {
        outcome: 'already-acknowledged',
        incident: now,
        answer: `${ref} was already acknowledged by ${now.acknowledgedBy ?? 'someone'} at ${now.acknowledgedAt ?? '?'}; nothing changed.`,
      };
    }
    const result = await resolveIncident(deps, incident.id, responder.id, { refuseIfResolved: true, via: 'sms' });
    return { outcome: 'resolved', incident: result.incident, answer: `${ref} resolved by ${responder.name}.` };
  } catch (error) {
    if (!(error instanceof TransitionRefusedError)) throw error;
    const now = (await deps.store.getIncident(incident.id)) ?? incident;
    return {
      outcome: 'already-resolved',
      incident: now,
      answer: `${ref} is already resolved (by ${now.resolvedBy ?? 'someone'} at ${now.resolvedAt ?? '?'}); nothing changed.`,
    };
  }
}
