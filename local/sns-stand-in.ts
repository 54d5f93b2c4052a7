/**
 * The SNS stand-in: `POST /_local/sns/publish` wraps a message into an SNS Notification signed
 * (signature version 2) with a local certificate and POSTs it to `/v1/alerts/cloudwatch` exactly
 * as SNS would; `subscribe` and `unsubscribe` send the two confirmation messages. The certificate
 * is made at start (kept in the --data folder when there is one) and only the local runtime's
 * certificate fetcher knows it: a message signed with it is refused by Klaxon on AWS.
 */
import { createHash, createSign, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import {
  type CertificateFetcher,
  SignatureRejectedError,
  type SubscriptionConfirmer,
  snsHostOf,
} from '../lambdas/adapters/sns-signature.js';
import { systemClock } from '../lambdas/adapters/system.js';
import type { Clock } from '../lambdas/core/ports.js';

export interface LocalSigningIdentity {
  privateKey: string;
  certificate: string;
}

/** One per process unless a data folder keeps it: RSA key generation is the slow part of a start. */
let processIdentity: Promise<LocalSigningIdentity> | undefined;

async function newIdentity(): Promise<LocalSigningIdentity> {
  const pems = await generate([{ name: 'commonName', value: 'sns.local.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  return { privateKey: pems.private, certificate: pems.cert };
}

export async function localSigningIdentity(dataDir?: string): Promise<LocalSigningIdentity> {
  if (!dataDir) {
    processIdentity ??= newIdentity();
    return processIdentity;
  }
  const keyFile = join(dataDir, 'sns-signing-key.pem');
  const certFile = join(dataDir, 'sns-signing-cert.pem');
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { privateKey: readFileSync(keyFile, 'utf8'), certificate: readFileSync(certFile, 'utf8') };
  }
  const identity = await newIdentity();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyFile, identity.privateKey, { mode: 0o600 });
  writeFileSync(certFile, identity.certificate);
  return identity;
}

/** The fields SNS signs, in its order, per message type. */
const SIGNED_FIELDS: Record<string, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export type SnsEnvelope = Record<string, string>;

/** SNS's host for the topic's region (`sns.local.amazonaws.com` for the local config's `arn:aws:sns:local:…` topic). */
const hostFor = (topicArn: string) => snsHostOf(topicArn) ?? 'sns.local.amazonaws.com';

export class LocalSns {
  /** Looks like the path of SNS's own certificates; only this runtime's fetcher resolves it. */
  private readonly certificatePath: string;
  readonly confirmedSubscriptions: string[] = [];

  /** `clock`: the runtime's, so the Timestamp of what it publishes agrees with intake's window check. */
  constructor(
    private readonly identity: LocalSigningIdentity,
    private readonly clock: Clock = systemClock,
  ) {
    const digest = createHash('sha256').update(identity.certificate).digest('hex').slice(0, 32);
    this.certificatePath = `/SimpleNotificationService-${digest}.pem`;
  }

  /** Where SNS would put the certificate for a topic's messages: on the SNS host of the topic's region. */
  certificateUrlFor(topicArn: string): string {
    return `https://${hostFor(topicArn)}${this.certificatePath}`;
  }

  /** Signs an envelope as SNS does; `version` 1 is SHA1withRSA, 2 is SHA256withRSA. */
  sign(envelope: SnsEnvelope, version: '1' | '2' = '2'): SnsEnvelope {
    const unsigned: SnsEnvelope = {
      ...envelope,
      SignatureVersion: version,
      SigningCertURL: this.certificateUrlFor(envelope.TopicArn ?? ''),
    };
    delete unsigned.Signature;
    const fields = SIGNED_FIELDS[unsigned.Type ?? ''] ?? [];
    const text = fields
      .filter((field) => unsigned[field] !== undefined)
      .map((field) => `${field}\n${unsigned[field]}\n`)
      .join('');
    const signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
      .update(text, 'utf8')
      .sign(this.identity.privateKey, 'base64');
    return { ...unsigned, Signature: signature };
  }

  notification(input: { TopicArn: string; Message: string; Subject?: string }): SnsEnvelope {
    const envelope: SnsEnvelope = {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: input.TopicArn,
      Message: input.Message,
      Timestamp: this.clock.now().toISOString(),
      UnsubscribeURL: `https://${hostFor(input.TopicArn)}/?Action=Unsubscribe&SubscriptionArn=${input.TopicArn}:local`,
    };
    if (input.Subject !== undefined) envelope.Subject = input.Subject;
    return this.sign(envelope);
  }

  confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', topicArn: string): SnsEnvelope {
    const token = randomUUID().replaceAll('-', '');
    return this.sign({
      Type: type,
      MessageId: randomUUID(),
      Token: token,
      TopicArn: topicArn,
      Message:
        type === 'SubscriptionConfirmation'
          ? `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
          : `You have chosen to deactivate subscription ${topicArn}:local.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `https://${hostFor(topicArn)}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`,
      Timestamp: this.clock.now().toISOString(),
    });
  }

  /**
   * Knows one certificate: its own, on whichever SNS host the verifier's checks let through.
   * Anything else is refused, as an unknown signer must be.
   */
  certificateFetcher(): CertificateFetcher {
    return async (url) => {
      if (url.pathname !== this.certificatePath) {
        throw new SignatureRejectedError(`${url.href} is not a certificate the local runtime trusts`);
      }
      return this.identity.certificate;
    };
  }

  /**
   * Stands in for the GET of the SubscribeURL (which already passed the https and SNS host checks):
   * there is no SNS to reach here, so the confirmation is kept for `GET /_local/sns/subscriptions`.
   */
  subscriptionConfirmer(): SubscriptionConfirmer {
    return async (url) => {
      this.confirmedSubscriptions.push(url.searchParams.get('TopicArn') ?? url.href);
    };
  }

  /** Delivers a signed message to the subscribed endpoint the way SNS does over HTTPS. */
  async deliver(endpoint: string, envelope: SnsEnvelope): Promise<{ status: number; body: unknown }> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': envelope.Type ?? '',
        'x-amz-sns-message-id': envelope.MessageId ?? '',
        'x-amz-sns-topic-arn': envelope.TopicArn ?? '',
        'user-agent': 'Amazon Simple Notification Service Agent',
      },
      body: JSON.stringify(envelope),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: response.status, body };
  }
}
