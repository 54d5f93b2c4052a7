/**
 * Verifies that an SNS message was signed by SNS (signature versions 1 and 2) with
 * sns-payload-validator, after every check that needs no network (checkSnsEnvelope): an allowed
 * topic, a signing certificate URL on exactly the SNS host of the topic's region, a Timestamp
 * inside the delivery window. Only then is a certificate fetched, so a stranger's body never makes
 * intake reach out, nor answer 5xx. On AWS the fetcher downloads the SigningCertURL; the local
 * runtime injects one that knows only its own certificate.
 */
import type Validator from 'sns-payload-validator';
import { loadOnce } from '../core/load-once.js';
import { CertificateUnavailableError, SignatureRejectedError } from './sns-errors.js';

export { CertificateUnavailableError, SignatureRejectedError };

/** Returns the PEM certificate at a SigningCertURL that already passed the host and https checks. */
export type CertificateFetcher = (url: URL) => Promise<string>;

/**
 * The domain of SNS's endpoints per partition. sns-payload-validator accepts only
 * `amazonaws.com` and `amazonaws.com.cn` hosts, so the isolated partitions are not listed.
 */
const PARTITION_DOMAINS: Record<string, string> = {
  aws: 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
};
const TOPIC_ARN = /^arn:([a-z-]+):sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;
const CERT_PATH = /^\/SimpleNotificationService-[A-Za-z0-9]{32}\.pem$/;

/**
 * The one host that signs and confirms a topic's messages, `sns.<region>.<partition domain>`;
 * undefined for an ARN of no partition SNS signs from. Any other host, however SNS-like
 * (`sns.s3-accelerate.amazonaws.com` is an S3 bucket named sns), is someone else's.
 */
export function snsHostOf(topicArn: string): string | undefined {
  const [, partition = '', region = ''] = TOPIC_ARN.exec(topicArn) ?? [];
  const domain = PARTITION_DOMAINS[partition];
  return domain ? `sns.${region}.${domain}` : undefined;
}

function snsUrl(field: 'SigningCertURL' | 'SubscribeURL', text: string, topicArn: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SignatureRejectedError(`${field} "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new SignatureRejectedError(`${field} must use https, not ${url.protocol.replace(':', '')}`);
  }
  const host = snsHostOf(topicArn);
  if (url.hostname !== host || url.port !== '' || url.username !== '' || url.password !== '') {
    const signer = host
      ? `topic ${topicArn} is signed only by ${host}`
      : `topic ${topicArn} is of no partition whose SNS hosts Klaxon knows (aws, aws-cn, aws-us-gov)`;
    throw new SignatureRejectedError(`${field} host ${url.host} is not an SNS host: ${signer}; the message is refused`);
  }
  return url;
}

export function checkSigningCertUrl(text: string, topicArn: string): URL {
  const url = snsUrl('SigningCertURL', text, topicArn);
  if (!CERT_PATH.test(url.pathname) || url.search !== '' || url.hash !== '') {
    throw new SignatureRejectedError(`SigningCertURL path ${url.pathname} is not an SNS signing certificate`);
  }
  return url;
}

export const checkSubscribeUrl = (text: string, topicArn: string): URL => snsUrl('SubscribeURL', text, topicArn);

/**
 * How far an SNS message's Timestamp (its publish time, unchanged on every retry) may lie from
 * now. SNS retries an HTTPS delivery for at most 3,600 s in all (a hard limit of its delivery
 * policies), so an older message is no retry but a replay; 15 minutes more allow for the first
 * attempt's own delay and for clock skew, which is also all the future allows.
 */
export const SNS_TIMESTAMP_WINDOW = { pastSeconds: 3_600 + 15 * 60, futureSeconds: 5 * 60 } as const;

export function checkSnsTimestamp(timestamp: string, now: Date): void {
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) throw new SignatureRejectedError(`Timestamp "${timestamp}" is not a time`);
  const age = (now.getTime() - at) / 1000;
  if (age > SNS_TIMESTAMP_WINDOW.pastSeconds) {
    throw new SignatureRejectedError(
      `The message was published at ${timestamp}, more than ${SNS_TIMESTAMP_WINDOW.pastSeconds / 60} minutes ago: SNS stops retrying after an hour, so this is a replay and is refused`,
    );
  }
  if (-age > SNS_TIMESTAMP_WINDOW.futureSeconds) {
    throw new SignatureRejectedError(
      `The message says it was published at ${timestamp}, more than ${SNS_TIMESTAMP_WINDOW.futureSeconds / 60} minutes from now (${now.toISOString()}); check the clocks. It is refused`,
    );
  }
}

export interface SnsEnvelopeFields {
  Type: string;
  TopicArn: string;
  Timestamp: string;
  SigningCertURL: string;
  SubscribeURL?: string;
}

/**
 * Everything about an SNS message that can be checked without the network, cheapest first;
 * throws SignatureRejectedError (403) naming what is wrong. The message type and
 * SignatureVersion are the schema's (400).
 */
export function checkSnsEnvelope(message: SnsEnvelopeFields, allowedTopics: readonly string[], now: Date): void {
  if (!allowedTopics.includes(message.TopicArn)) {
    throw new SignatureRejectedError(
      `Topic ${message.TopicArn} is not allowed: add it to snsTopicArns in the Klaxon config to accept its alarms`,
    );
  }
  checkSigningCertUrl(message.SigningCertURL, message.TopicArn);
  if (message.SubscribeURL !== undefined) checkSubscribeUrl(message.SubscribeURL, message.TopicArn);
  checkSnsTimestamp(message.Timestamp, now);
}

export interface SnsSignatureVerifier {
  /** Resolves when the message's signature is valid; rejects with SignatureRejectedError otherwise. */
  verify(message: Record<string, unknown>): Promise<void>;
}

// The validator's certificate cache is where a fetched certificate is handed to it: it then never
// downloads by itself, so the host check above and the injected fetcher decide what is trusted.
type ValidatorWithCache = Validator & {
  certCache?: { get(url: string): unknown; set(url: string, pem: string): void };
};

export function snsSignatureVerifier(fetchCertificate: CertificateFetcher): SnsSignatureVerifier {
  // Loaded by the first signature to check: the validator is CommonJS, which the bundler cannot
  // tree-shake, and no other alert's cold start should pay for it.
  const loadValidator = loadOnce(async () => {
    const { default: SnsPayloadValidator } = await import('sns-payload-validator');
    const validator = new SnsPayloadValidator({ useCache: true, maxCerts: 100 }) as ValidatorWithCache;
    const cache = validator.certCache;
    if (!cache) throw new Error('sns-payload-validator no longer keeps a certificate cache; review this adapter');
    return { validator, cache };
  });
  return {
    async verify(message) {
      // Again here, whatever the caller checked: this is what decides which URL is fetched.
      const url = checkSigningCertUrl(String(message.SigningCertURL ?? ''), String(message.TopicArn ?? ''));
      const { validator, cache } = await loadValidator();
      if (!cache.get(url.href)) {
        const pem = await fetchCertificate(url);
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
          throw new SignatureRejectedError(`SigningCertURL ${url.href} did not return a certificate`);
        }
        cache.set(url.href, pem);
      }
      try {
        await validator.validate(message as unknown as Validator.SnsPayload);
      } catch (error) {
        throw new SignatureRejectedError(
          `SNS signature check failed: ${(error as Error).message}. The message was altered or not sent by SNS`,
        );
      }
    },
  };
}

/** On AWS: download the certificate (after the host and https checks), with a short timeout. */
export const httpsCertificateFetcher: CertificateFetcher = async (url) => {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
  } catch (error) {
    throw new CertificateUnavailableError(`Could not fetch ${url.href}: ${(error as Error).message}`);
  }
  if (response.status >= 500) throw new CertificateUnavailableError(`${url.href} answered ${response.status}`);
  if (!response.ok) throw new SignatureRejectedError(`SigningCertURL ${url.href} answered ${response.status}`);
  return response.text();
};

/** Confirms an SNS subscription by visiting its SubscribeURL (after the same host and https checks). */
export type SubscriptionConfirmer = (subscribeUrl: URL) => Promise<void>;

export const httpsSubscriptionConfirmer: SubscriptionConfirmer = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
  if (!response.ok) throw new Error(`Confirming the subscription at ${url.origin} answered ${response.status}`);
};
