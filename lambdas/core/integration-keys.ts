/**
 * Integration keys: how a fresh one is made, and the keys anyone can read (the local key that
 * `npm start`, the README and the CLI use, and the test fixtures' key). A public key in a deployed
 * Klaxon lets anyone open SEV1s and page the whole ladder, so synth refuses them (lib/klaxon.ts).
 */
import { createHash, randomBytes } from 'node:crypto';

/** The key of the local config (klaxon.config.json): printed in the README and by `npm start`. */
export const LOCAL_ROUTING_KEY = 'klaxonlocaldevroutingkey00000001';
/** The key in the repository's Events v2 fixtures (test/fixtures/events-v2). */
export const FIXTURE_ROUTING_KEY = 'R0UT1NGKEY0000000000000000000001';

/** What a config stores in place of a key: its SHA-256, hex. */
export const integrationKeyHash = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** SHA-256 of each public key → where it is published. */
export const PUBLIC_KEY_HASHES: ReadonlyMap<string, string> = new Map([
  [integrationKeyHash(LOCAL_ROUTING_KEY), `the local key ${LOCAL_ROUTING_KEY}, printed in the README`],
  [integrationKeyHash(FIXTURE_ROUTING_KEY), `the test fixtures' key ${FIXTURE_ROUTING_KEY}`],
]);

export interface IntegrationKeyEntry {
  name: string;
  sha256: string;
}

/** The name of the integration whose key this is (a config keeps only the keys' hashes). */
export function integrationFor(
  config: { integrationKeys: readonly IntegrationKeyEntry[] },
  routingKey: string,
): string | undefined {
  const hash = integrationKeyHash(routingKey);
  return config.integrationKeys.find((key) => key.sha256 === hash)?.name;
}

/** The entries of `integrationKeys` whose key is public, each with where it is published. */
export function publicKeysIn(
  entries: readonly IntegrationKeyEntry[],
): { index: number; name: string; publishedAs: string }[] {
  return entries.flatMap((entry, index) => {
    const publishedAs = PUBLIC_KEY_HASHES.get(entry.sha256);
    return publishedAs === undefined ? [] : [{ index, name: entry.name, publishedAs }];
  });
}

/**
 * A fresh key: 24 random bytes as 32 base64url characters (192 bits), the length of a PagerDuty
 * routing key, and safe as-is in JSON, a bearer header and a URL.
 */
export function newIntegrationKey(name: string): { key: string; entry: IntegrationKeyEntry } {
  const key = randomBytes(24).toString('base64url');
  return { key, entry: { name, sha256: integrationKeyHash(key) } };
}
