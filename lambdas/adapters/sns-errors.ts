/**
 * How the SNS signature check refuses a message. Apart from sns-signature.ts so that the HTTP
 * error mapping (handlers/http.ts), which every function loads, does not load the validator.
 */

/** The message is not provably from SNS: the sender gets 403. */
export class SignatureRejectedError extends Error {
  override name = 'SignatureRejectedError';
}

/** The certificate could not be fetched now (network): a 5xx, so SNS retries. */
export class CertificateUnavailableError extends Error {
  override name = 'CertificateUnavailableError';
}
