/**
 * Where the ack-link signing key comes from: Secrets Manager on AWS, and locally a random key kept
 * in the data folder (so links survive a restart) or in memory. The one adapter for the key: the
 * functions that sign or verify links (page task, API) read it through here, on AWS by awsAckKey
 * (aws-ports.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AckKeySource } from '../core/ports.js';

/** HMAC-SHA256 keys shorter than this are guessable; the stack's generated secret is longer. */
const MIN_KEY_CHARACTERS = 32;

/**
 * The key in a Secrets Manager secret, read on first use and then cached for the life of the
 * container: one GetSecretValue per cold start, not one per page. A failed read is not cached,
 * so the next invocation tries again.
 */
export function secretsManagerAckKey(client: SecretsManagerClient, secretId: string): AckKeySource {
  let cached: Promise<Buffer> | undefined;
  const load = async () => {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const text = secret.SecretString;
    if (!text) throw new Error(`Secret ${secretId} has no string value to sign acknowledge links with`);
    if (text.length < MIN_KEY_CHARACTERS)
      throw new Error(`Secret ${secretId} must hold a signing key of at least ${MIN_KEY_CHARACTERS} characters`);
    return Buffer.from(text, 'utf8');
  };
  return {
    key() {
      cached ??= load().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
  };
}

export const LOCAL_ACK_KEY_FILE = 'ack-signing-key';

/** A key in `dataDir` (created on first use, readable by this user only), or in memory without one. */
export function localAckKey(dataDir?: string): AckKeySource {
  if (!dataDir) {
    const key = randomBytes(32);
    return { key: async () => key };
  }
  const path = join(dataDir, LOCAL_ACK_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': never overwrite a key an earlier run made (links it signed must stay valid).
    writeFileSync(path, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  return { key: async () => key };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newSecretsManagerClient = () => new SecretsManagerClient({});
