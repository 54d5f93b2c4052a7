/**
 * Where the local runtime sends what would go to SNS or EventBridge on AWS: kept in order for
 * `GET /_local/outbox` and printed to the terminal.
 */
import { InvalidParameterException } from '@aws-sdk/client-sns';
import {
  lifecycleEntries,
  PUT_EVENTS_MAX_BYTES,
  putEventsEntryBytes,
} from '../lambdas/adapters/eventbridge-publisher.js';
import { pagePublishInput, snsPublishBytes, snsRefusal } from '../lambdas/adapters/sns-publish.js';
import { smsAnswerPublishInput } from '../lambdas/adapters/sns-sms-sender.js';
import type { Channel } from '../lambdas/core/config.js';
import type { LifecycleEvent } from '../lambdas/core/lifecycle-events.js';
import type { Clock, LifecyclePublisher, MessagePurpose, PageDelivery, Pager } from '../lambdas/core/ports.js';
import type { SmsSender } from '../lambdas/core/sms-replies.js';

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
}

export interface OutboxEvent {
  at: string;
  service: 'events';
  detailType: string;
  detail: LifecycleEvent['detail'];
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

export type OutboxMessage = OutboxPage | OutboxEvent | OutboxSms;

export const LOCAL_TOPIC_ARN_PREFIX = 'arn:aws:sns:local:000000000000:klaxon-responder-';

/** The bus named in the entries the outbox measures (a name does not count toward an entry's size). */
const LOCAL_EVENT_BUS = 'klaxon';

/** Thrown by the outbox pager for a delivery a drill or test asked to fail, as SNS would throw. */
export class LocalPublishError extends Error {
  override name = 'LocalPublishError';
}

export class Outbox {
  readonly messages: OutboxMessage[] = [];
  private throttledPublishes = 0;
  /** Responder id → channels whose publishes fail (see failDeliveries). */
  private readonly failing = new Map<string, Set<Channel>>();

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
        ];
        const refused = sent.filter((channel) => failing?.has(channel));
        if (refused.length > 0) {
          this.print(`PAGE FAILED -> ${delivery.responder.id}: ${refused.join('+')} publishing is set to fail`);
          throw new LocalPublishError(
            `Publish to ${delivery.responder.id} by ${refused.join('+')} failed (local failure injection)`,
          );
        }
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
        };
        this.messages.push(message);
        const channels = [message.sms !== null && 'SMS', message.email !== null && 'email'].filter(Boolean).join('+');
        const what = message.purpose === 'page' ? 'PAGE' : 'REMINDER';
        this.print(`${what} ${channels} -> ${delivery.responder.id}: ${message.sms ?? message.subject}`);
      },
    };
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
      },
    };
  }

  /** Answers the next `count` SNS publishes as SNS does when throttling (tests of the ladder's Retry). */
  throttleNextPublishes(count: number): void {
    this.throttledPublishes = count;
  }

  pages(): OutboxPage[] {
    return this.messages.filter((message): message is OutboxPage => message.service === 'sns');
  }
}
