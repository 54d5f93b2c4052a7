/**
 * Verifies that an SNS message was signed by SNS (signature versions 1 and 2) with
 * sns-payload-validator. The signing certificate comes only from an https URL on
 * `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn`); that check is ours and runs before any
 * certificate is fetched, whatever fetcher is injected. On AWS the fetcher downloads the
 * SigningCertURL; the local runtime injects one that knows only its own certificate.
 */
import Validator from 'sns-payload-validator';

/** Returns the PEM certificate at a SigningCertURL that already passed the host and https checks. */
export type CertificateFetcher = (url: URL) => Promise<string>;

/** The message is not provably from SNS: the sender gets 403. */
export class SignatureRejectedError extends Error {
  override name = 'SignatureRejectedError';
}

/** The certificate could not be fetched now (network): a 5xx, so SNS retries. */
export class CertificateUnavailableError extends Error {
  override name = 'CertificateUnavailableError';
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const CERT_PATH = /^\/SimpleNotificationService-[A-Za-z0-9]{32}\.pem$/;

export function checkSigningCertUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SignatureRejectedError(`SigningCertURL "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new SignatureRejectedError(`SigningCertURL must use https, not ${url.protocol.replace(':', '')}`);
  }
  if (!SNS_HOST.test(url.hostname) || url.port !== '' || url.username !== '' || url.password !== '') {
    throw new SignatureRejectedError(
      `SigningCertURL host ${url.host} is not an SNS host (sns.<region>.amazonaws.com); the message is refused`,
    );
  }
  if (!CERT_PATH.test(url.pathname) || url.search !== '' || url.hash !== '') {
    throw new SignatureRejectedError(`SigningCertURL path ${url.pathname} is not an SNS signing certificate`);
  }
  return url;
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
  const validator = new Validator({ useCache: true, maxCerts: 100 }) as ValidatorWithCache;
  const cache = validator.certCache;
  if (!cache) throw new Error('sns-payload-validator no longer keeps a certificate cache; review this adapter');
  return {
    async verify(message) {
      const url = checkSigningCertUrl(String(message.SigningCertURL ?? ''));
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

export function checkSubscribeUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SignatureRejectedError(`SubscribeURL "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' || !SNS_HOST.test(url.hostname) || url.port !== '') {
    throw new SignatureRejectedError(`SubscribeURL ${url.origin} is not https on an SNS host`);
  }
  return url;
}

export const httpsSubscriptionConfirmer: SubscriptionConfirmer = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
  if (!response.ok) throw new Error(`Confirming the subscription at ${url.origin} answered ${response.status}`);
};
