/**
 * Where the local runtime sends what would go to SNS, End User Messaging (calls) or EventBridge
 * on AWS: kept in order for `GET /_local/outbox` and printed to the terminal.
 */
import { randomUUID } from 'node:crypto';
import { InvalidParameterException } from '@aws-sdk/client-sns';
import {
  lifecycleEntries,
  PUT_EVENTS_MAX_BYTES,
  putEventsEntryBytes,
} from '../lambdas/adapters/eventbridge-publisher.js';
import { textMessageInput, textRefusal, voiceMessageInput, voiceRefusal } from '../lambdas/adapters/sms-voice-send.js';
import { chatPublishInput, chatPublishRefusal } from '../lambdas/adapters/sns-chat-publisher.js';
import { pagePublishInput, snsPublishBytes, snsRefusal } from '../lambdas/adapters/sns-publish.js';
import { smsAnswerPublishInput } from '../lambdas/adapters/sns-sms-sender.js';
import type { ChatNotification } from '../lambdas/core/chat-notifications.js';
import type { Channel } from '../lambdas/core/config.js';
import { LIFECYCLE_EVENT_SOURCE, type LifecycleEvent } from '../lambdas/core/lifecycle-events.js';
import type {
  ChatPublisher,
  Clock,
  LifecyclePublisher,
  MessagePurpose,
  PageDelivery,
  Pager,
} from '../lambdas/core/ports.js';
import type { SmsSender } from '../lambdas/core/sms-replies.js';
import { type EventPattern, matchesPattern } from './event-rules.js';

export interface OutboxPage {
  at: string;
  service: 'sns';
  topicArn: string;
  responder: string;
  /** Empty on a handoff notification (which is about no incident in particular). */
  incidentId: string;
  /** A ladder step's page, a reminder or a handoff notification. */
  purpose: MessagePurpose;
  subject: string;
  sms: string | null;
  email: string | null;
  /**
   * The SMS's End User Messaging message id and `Context` (a ladder page's reference): what its
   * delivery events carry, for `POST /_local/sms/events`. Null without an SMS.
   */
  smsMessageId: string | null;
  smsContext: Record<string, string> | null;
}

/** A text-to-speech call, as SendVoiceMessage would place it. */
export interface OutboxCall {
  at: string;
  service: 'voice';
  responder: string;
  phone: string;
  incidentId: string;
  purpose: MessagePurpose;
  /** What the call says. */
  voice: string;
  messageId: string;
  context: Record<string, string> | null;
}

export interface OutboxEvent {
  at: string;
  service: 'events';
  detailType: string;
  detail: LifecycleEvent['detail'];
}

/** A custom notification published to the chat topic: its SNS message is this notification's JSON. */
export interface OutboxChat {
  at: string;
  service: 'chat';
  topicArn: string;
  incidentId: string;
  /** The notification's title, as a page's subject. */
  subject: string;
  notification: ChatNotification;
}

/** An SMS Klaxon sends straight to a phone number: the answer to an SMS reply. */
export interface OutboxSms {
  at: string;
  service: 'sms';
  purpose: 'sms-reply';
  /** The phone it goes to, and the origination number it goes out from. */
  to: string;
  from: string;
  /** The responder whose phone it is; null for a number no responder has. */
  responder: string | null;
  /** Empty when the reply named no incident Klaxon knows. */
  incidentId: string;
  sms: string;
}

export type OutboxMessage = OutboxPage | OutboxCall | OutboxEvent | OutboxChat | OutboxSms;

export const LOCAL_TOPIC_ARN_PREFIX = 'arn:aws:sns:local:000000000000:klaxon-responder-';
export const LOCAL_CHAT_TOPIC_ARN = 'arn:aws:sns:local:000000000000:klaxon-chat';

/** A rule on the lifecycle bus: its target gets each matching event as EventBridge delivers it. */
export interface LocalBusRule {
  name: string;
  pattern: EventPattern;
  target: (event: unknown) => Promise<unknown>;
}

/** The bus named in the entries the outbox measures (a name does not count toward an entry's size). */
const LOCAL_EVENT_BUS = 'klaxon';

/** The origination identity the local runtime's calls and SMS leave from. */
const LOCAL_ORIGIN = { originationIdentity: '+15555550100', configurationSetName: 'klaxon-local' };

/** Thrown by the outbox pager for a delivery a drill or test asked to fail, as SNS would throw. */
export class LocalPublishError extends Error {
  override name = 'LocalPublishError';
}

export class Outbox {
  readonly messages: OutboxMessage[] = [];
  private throttledPublishes = 0;
  /** Responder id → channels whose publishes fail (see failDeliveries). */
  private readonly failing = new Map<string, Set<Channel>>();
  private readonly busRules: LocalBusRule[] = [];

  constructor(
    private readonly print: (line: string) => void,
    /** Stamps each message: the runtime's clock, so a test on a manual clock reads exact times. */
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  /**
   * From now on, every publish to this responder that includes one of `channels` fails, the way a
   * throttled topic or an SMS spending limit makes SNS refuse it; an empty list heals them.
   */
  failDeliveries(responderId: string, channels: Channel[]): void {
    if (channels.length === 0) this.failing.delete(responderId);
    else this.failing.set(responderId, new Set(channels));
  }

  pager(): Pager {
    return {
      page: async (delivery: PageDelivery) => {
        if (this.throttledPublishes > 0) {
          this.throttledPublishes -= 1;
          throw Object.assign(new Error('Rate exceeded (injected fault)'), { name: 'ThrottledException' });
        }
        const failing = this.failing.get(delivery.responder.id);
        const sent: Channel[] = [
          ...(delivery.sms !== undefined ? (['sms'] as const) : []),
          ...(delivery.email !== undefined ? (['email'] as const) : []),
          ...(delivery.voice !== undefined ? (['voice'] as const) : []),
        ];
        const refused = sent.filter((channel) => failing?.has(channel));
        if (refused.length > 0) {
          this.print(`PAGE FAILED -> ${delivery.responder.id}: ${refused.join('+')} publishing is set to fail`);
          throw new LocalPublishError(
            `Publish to ${delivery.responder.id} by ${refused.join('+')} failed (local failure injection)`,
          );
        }
        // As on AWS (sms-voice-pager.ts) an SMS End User Messaging would refuse sends nothing, and
        // the call goes first; refused, nothing else is sent.
        const text =
          delivery.sms !== undefined ? textMessageInput({ ...delivery, sms: delivery.sms }, LOCAL_ORIGIN) : undefined;
        const textRefused = text && textRefusal(text);
        if (textRefused) {
          this.print(`SMS REFUSED -> ${delivery.responder.id}: ${textRefused}`);
          throw Object.assign(new Error(textRefused), { name: 'ValidationException' });
        }
        if (delivery.voice !== undefined) this.call({ ...delivery, voice: delivery.voice });
        if (delivery.sms === undefined && delivery.email === undefined) return;
        const topicArn = `${LOCAL_TOPIC_ARN_PREFIX}${delivery.responder.id}`;
        // What SNS refuses is refused here too, in SNS's words, so nothing passes locally that fails on AWS.
        const publish = pagePublishInput(delivery, topicArn);
        const refusal = snsRefusal(publish);
        if (refusal) {
          this.print(`PAGE REFUSED -> ${delivery.responder.id}: ${refusal} (${snsPublishBytes(publish)} bytes)`);
          throw new InvalidParameterException({ message: refusal, $metadata: { httpStatusCode: 400 } });
        }
        const message: OutboxPage = {
          at: this.clock.now().toISOString(),
          service: 'sns',
          topicArn,
          responder: delivery.responder.id,
          incidentId: delivery.incidentId ?? '',
          purpose: delivery.purpose ?? 'page',
          subject: delivery.subject,
          sms: delivery.sms ?? null,
          email: delivery.email ?? null,
          smsMessageId: delivery.sms !== undefined ? randomUUID() : null,
          smsContext: text?.Context ?? null,
        };
        this.messages.push(message);
        const channels = [message.sms !== null && 'SMS', message.email !== null && 'email'].filter(Boolean).join('+');
        const what = message.purpose === 'page' ? 'PAGE' : 'REMINDER';
        this.print(`${what} ${channels} -> ${delivery.responder.id}: ${message.sms ?? message.subject}`);
      },
    };
  }

  /** Places a call as SendVoiceMessage would, refusing what it would refuse. */
  private call(delivery: PageDelivery & { voice: string }): void {
    const input = voiceMessageInput(delivery, LOCAL_ORIGIN);
    const refusal = voiceRefusal(input);
    if (refusal) {
      this.print(`CALL REFUSED -> ${delivery.responder.id}: ${refusal}`);
      throw Object.assign(new Error(refusal), { name: 'ValidationException' });
    }
    this.messages.push({
      at: this.clock.now().toISOString(),
      service: 'voice',
      responder: delivery.responder.id,
      phone: delivery.responder.phone,
      incidentId: delivery.incidentId ?? '',
      purpose: delivery.purpose ?? 'page',
      voice: delivery.voice,
      messageId: randomUUID(),
      context: input.Context ?? null,
    });
    this.print(`CALL -> ${delivery.responder.id} (${delivery.responder.phone}): ${delivery.voice}`);
  }

  /** The answers to SMS replies, as SNS would send them to the phone number (see sns-sms-sender.ts). */
  smsSender(): SmsSender {
    return {
      send: async (answer) => {
        const refusal = snsRefusal(smsAnswerPublishInput(answer));
        if (refusal) throw new InvalidParameterException({ message: refusal, $metadata: { httpStatusCode: 400 } });
        this.messages.push({
          at: this.clock.now().toISOString(),
          service: 'sms',
          purpose: 'sms-reply',
          to: answer.to,
          from: answer.from,
          responder: answer.responder ?? null,
          incidentId: answer.incidentId ?? '',
          sms: answer.body,
        });
        this.print(`SMS REPLY -> ${answer.responder ?? answer.to}: ${answer.body}`);
      },
    };
  }

  publisher(): LifecyclePublisher {
    return {
      publish: async (events) => {
        const bytes = lifecycleEntries(events, LOCAL_EVENT_BUS).reduce(
          (total, entry) => total + putEventsEntryBytes(entry),
          0,
        );
        if (bytes > PUT_EVENTS_MAX_BYTES) {
          this.print(`EVENTS REFUSED: ${bytes} bytes`);
          throw Object.assign(new Error('Total size of the entries in the request is over the limit.'), {
            name: 'ValidationException',
          });
        }
        for (const event of events) {
          this.messages.push({
            at: this.clock.now().toISOString(),
            service: 'events',
            detailType: event.detailType,
            detail: event.detail,
          });
          this.print(`EVENT ${event.detailType}: incident ${event.detail.incident.id}`);
        }
        for (const event of events) await this.deliverToRules(event);
      },
    };
  }

  /** Rules on the lifecycle bus, as the stack's rules on Klaxon's bus (the chat rule). */
  addBusRule(rule: LocalBusRule): void {
    this.busRules.push(rule);
  }

  /**
   * EventBridge delivers after PutEvents succeeded and retries a failing target on its own: the
   * publisher never sees a target's failure, so here it is printed, not thrown.
   */
  private async deliverToRules(event: LifecycleEvent): Promise<void> {
    const envelope = {
      version: '0',
      id: `${event.detail.kind}:${event.detail.incident.id}:${event.detail.at}`,
      'detail-type': event.detailType,
      source: LIFECYCLE_EVENT_SOURCE,
      account: '000000000000',
      time: this.clock.now().toISOString(),
      region: 'local',
      resources: [],
      detail: event.detail,
    };
    for (const rule of this.busRules.filter((candidate) => matchesPattern(envelope, candidate.pattern))) {
      try {
        await rule.target(envelope);
      } catch (error) {
        this.print(`RULE ${rule.name} FAILED: ${(error as Error).message}`);
      }
    }
  }

  /** The chat topic: what SNS refuses is refused here, in SNS's words. */
  chatPublisher(): ChatPublisher {
    return {
      publish: async (notification) => {
        const refusal = chatPublishRefusal(chatPublishInput(notification, LOCAL_CHAT_TOPIC_ARN));
        if (refusal) {
          this.print(`CHAT REFUSED: ${refusal}`);
          throw new InvalidParameterException({ message: refusal, $metadata: { httpStatusCode: 400 } });
        }
        this.messages.push({
          at: this.clock.now().toISOString(),
          service: 'chat',
          topicArn: LOCAL_CHAT_TOPIC_ARN,
          incidentId: notification.metadata.additionalContext.incidentId ?? '',
          subject: notification.content.title,
          notification,
        });
        this.print(`CHAT ${notification.content.title}`);
      },
    };
  }

  chats(): OutboxChat[] {
    return this.messages.filter((message): message is OutboxChat => message.service === 'chat');
  }

  /** Answers the next `count` SNS publishes as SNS does when throttling (tests of the ladder's Retry). */
  throttleNextPublishes(count: number): void {
    this.throttledPublishes = count;
  }

  pages(): OutboxPage[] {
    return this.messages.filter((message): message is OutboxPage => message.service === 'sns');
  }

  calls(): OutboxCall[] {
    return this.messages.filter((message): message is OutboxCall => message.service === 'voice');
  }
}
