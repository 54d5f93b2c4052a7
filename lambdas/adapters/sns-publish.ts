/**
 * The SNS publish of one message to a responder's topic, and what SNS refuses of it. The pager
 * sends exactly this; the local outbox builds the same publish and refuses what SNS would, so the
 * local runtime and its tests meet AWS's limits. Free of the SNS client so the outbox needs no AWS.
 */
import type { MessageAttributeValue, PublishInput } from '@aws-sdk/client-sns';
import type { Channel } from '../core/config.js';
import type { PageDelivery } from '../core/ports.js';
import { CHANNEL_ATTRIBUTE } from './sns-message-attributes.js';

/** SNS's limit on a publish: the message with all its protocols' bodies, plus its attributes, in UTF-8 bytes. */
export const SNS_PUBLISH_MAX_BYTES = 262_144;

/** SNS subjects must be ASCII, one line, under 100 characters. */
export function snsSubject(subject: string): string {
  return subject
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99)
    .trim();
}

export function pageChannels(delivery: Pick<PageDelivery, 'sms' | 'email'>): Channel[] {
  return [
    ...(delivery.sms !== undefined ? ['sms' as const] : []),
    ...(delivery.email !== undefined ? ['email' as const] : []),
  ];
}

/**
 * MessageStructure json so each protocol gets its own body. The `channel` attribute lists the
 * step's channels; each subscription's filter policy takes only its own channel, so an
 * email-only step never rings a phone.
 */
export function pagePublishInput(delivery: PageDelivery, topicArn: string): PublishInput {
  const message: Record<string, string> = { default: delivery.email ?? delivery.sms ?? delivery.subject };
  if (delivery.sms !== undefined) message.sms = delivery.sms;
  if (delivery.email !== undefined) message.email = delivery.email;
  return {
    TopicArn: topicArn,
    Subject: snsSubject(delivery.subject),
    Message: JSON.stringify(message),
    MessageStructure: 'json',
    MessageAttributes: {
      [CHANNEL_ATTRIBUTE]: { DataType: 'String.Array', StringValue: JSON.stringify(pageChannels(delivery)) },
      purpose: { DataType: 'String', StringValue: delivery.purpose ?? 'page' },
      ...(delivery.incidentId ? { incidentId: { DataType: 'String', StringValue: delivery.incidentId } } : {}),
    },
  };
}

const utf8 = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);

/** What SNS counts against its limit: the message, the subject, and each attribute's name, type and value. */
export function snsPublishBytes(input: PublishInput): number {
  const attributes = Object.entries(input.MessageAttributes ?? {}).reduce(
    (total, [name, value]: [string, MessageAttributeValue]) =>
      total + utf8(name) + utf8(value.DataType) + utf8(value.StringValue) + (value.BinaryValue?.byteLength ?? 0),
    0,
  );
  return utf8(input.Message) + utf8(input.Subject) + attributes;
}

/** Why SNS would refuse this publish (its own words), or undefined when it would take it. */
export function snsRefusal(input: PublishInput): string | undefined {
  if (snsPublishBytes(input) > SNS_PUBLISH_MAX_BYTES) return 'Invalid parameter: Message too long';
  const subject = input.Subject;
  if (subject !== undefined && (subject.length >= 100 || subject.trim() === '' || /[\p{Cc}]/u.test(subject))) {
    return 'Invalid parameter: Subject';
  }
  return undefined;
}
