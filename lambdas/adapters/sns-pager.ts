/**
 * Pager on SNS: one topic per responder (their email and SMS subscriptions), published with
 * MessageStructure json so each protocol gets its own body. The `channel` attribute lists the
 * step's channels; each subscription's filter policy takes only its own channel, so an
 * email-only step never rings a phone.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Channel } from '../core/config.js';
import type { PageDelivery, Pager } from '../core/ports.js';
import { CHANNEL_ATTRIBUTE } from './sns-message-attributes.js';

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

export function snsPager(client: SNSClient, topicArnPrefix: string): Pager {
  return {
    async page(delivery) {
      const channels = pageChannels(delivery);
      const message: Record<string, string> = { default: delivery.email ?? delivery.sms ?? delivery.subject };
      if (delivery.sms !== undefined) message.sms = delivery.sms;
      if (delivery.email !== undefined) message.email = delivery.email;
      await client.send(
        new PublishCommand({
          TopicArn: `${topicArnPrefix}${delivery.responder.id}`,
          Subject: snsSubject(delivery.subject),
          Message: JSON.stringify(message),
          MessageStructure: 'json',
          MessageAttributes: {
            [CHANNEL_ATTRIBUTE]: { DataType: 'String.Array', StringValue: JSON.stringify(channels) },
            purpose: { DataType: 'String', StringValue: delivery.purpose ?? 'page' },
            ...(delivery.incidentId ? { incidentId: { DataType: 'String', StringValue: delivery.incidentId } } : {}),
          },
        }),
      );
    },
  };
}
