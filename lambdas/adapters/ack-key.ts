/**
 * Where the ack-link signing key comes from: Secrets Manager on AWS (read once per cold start),
 * and locally a random key kept in the data folder (so links survive a restart) or in memory.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AckKeySource } from '../core/ports.js';

export function secretsManagerAckKey(client: SecretsManagerClient, secretId: string): AckKeySource {
  let cached: Promise<Buffer> | undefined;
  const load = async () => {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const text = secret.SecretString;
    if (!text || text.length < 32)
      throw new Error(`Secret ${secretId} must hold a signing key of at least 32 characters`);
    return Buffer.from(text, 'utf8');
  };
  return {
    key() {
      // A failed read is not cached: the next request tries again.
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
