/**
 * The acknowledge-link HMAC key from Secrets Manager. Read on first use, then cached for the life
 * of the container: one GetSecretValue per cold start, not one per page. A failed read is not
 * cached, so the next invocation tries again.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The port: what signs and verifies acknowledge links needs. */
export interface SigningKeySource {
  signingKey(): Promise<Buffer>;
}

export function secretsManagerSigningKey(client: SecretsManagerClient, secretArn: string): SigningKeySource {
  let cached: Promise<Buffer> | undefined;
  const read = async (): Promise<Buffer> => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!result.SecretString) throw new Error(`Secret ${secretArn} has no string value to sign acknowledge links with`);
    return Buffer.from(result.SecretString, 'utf8');
  };
  return {
    signingKey() {
      cached ??= read().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
  };
}
