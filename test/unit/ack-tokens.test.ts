/** Ack-link tokens: compact enough for an SMS, bound to incident and responder, expiring, unforgeable. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { LOCAL_ACK_KEY_FILE, localAckKey, secretsManagerAckKey } from '../../lambdas/adapters/ack-key.js';
import { ACK_TOKEN_TTL_SECONDS, ackLink, signAckToken, verifyAckToken } from '../../lambdas/core/ack-tokens.js';
import { gsm7Length, SMS_SEGMENT_SEPTETS } from '../../lambdas/core/gsm7.js';
import { planLadder } from '../../lambdas/core/ladder.js';
import { renderSms } from '../../lambdas/core/templates.js';
import { anIncident } from '../support/incidents.js';
import { testConfig } from '../support/local.js';

const config = testConfig();
const key = randomBytes(32);
const issuedAt = new Date('2026-11-20T10:15:00.000Z');
const ulidId = '01JD6Z3ZQ7W9Y2V8K4T5R6N3M1';
const sign = (incidentId = ulidId, responderId = 'secondary-oncall', run = 1) =>
  signAckToken(key, { incidentId, run, responderId }, issuedAt);

describe('ack tokens', () => {
  it.each([ulidId, 'incident-42'])('names the incident %s and the responder it was made for', (incidentId) => {
    const verdict = verifyAckToken(key, sign(incidentId), issuedAt, config);
    expect(verdict).toMatchObject({ valid: true, claims: { incidentId, responderId: 'secondary-oncall' } });
  });

  it('is 43 characters for a ULID incident id below run 128, 44 up to run 16383', () => {
    expect(sign()).toHaveLength(43);
    expect(sign(ulidId, 'secondary-oncall', 127)).toHaveLength(43);
    expect(sign(ulidId, 'secondary-oncall', 16_383)).toHaveLength(44);
  });

  it.each([1, 127, 128, 300, 2 ** 40])('names the ladder run %s it was made for', (run) => {
    const verdict = verifyAckToken(key, sign(ulidId, 'secondary-oncall', run), issuedAt, config);
    expect(verdict).toMatchObject({ valid: true, claims: { incidentId: ulidId, run } });
  });

  it('gives a reopened run a different token and single-use key than the first, in the same minute', () => {
    const first = verifyAckToken(key, sign(ulidId, 'primary-oncall', 1), issuedAt, config);
    const reopened = verifyAckToken(key, sign(ulidId, 'primary-oncall', 2), issuedAt, config);
    expect(first.valid && reopened.valid && first.useKey !== reopened.useKey).toBe(true);
  });

  it('refuses a token altered in any character, or signed with another key, as forged', () => {
    const token = sign();
    for (let i = 0; i < token.length; i++) {
      const altered = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(verifyAckToken(key, altered, issuedAt, config)).toMatchObject({ valid: false, reason: 'forged' });
    }
    // The last character carries 2 spare bits; a variant that decodes to the same bytes is refused too.
    const last = token.at(-1) ?? '';
    const sameBytes = `${token.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
    expect(verifyAckToken(key, sameBytes, issuedAt, config)).toMatchObject({ valid: false, reason: 'forged' });
    const otherKey = randomBytes(32);
    expect(verifyAckToken(otherKey, token, issuedAt, config)).toMatchObject({ valid: false, reason: 'forged' });
    expect(verifyAckToken(key, 'not a token!', issuedAt, config)).toMatchObject({ valid: false, reason: 'forged' });
  });

  it('expires 24 hours after it was made, and not before', () => {
    const token = sign();
    const justBefore = new Date(issuedAt.getTime() + ACK_TOKEN_TTL_SECONDS * 1000 - 1000);
    const after = new Date(issuedAt.getTime() + ACK_TOKEN_TTL_SECONDS * 1000 + 60_000);
    expect(verifyAckToken(key, token, justBefore, config).valid).toBe(true);
    expect(verifyAckToken(key, token, after, config)).toMatchObject({ valid: false, reason: 'expired' });
  });

  it('gives each responder a different token and a different single-use key', () => {
    const mine = verifyAckToken(key, sign(ulidId, 'primary-oncall'), issuedAt, config);
    const theirs = verifyAckToken(key, sign(ulidId, 'secondary-oncall'), issuedAt, config);
    expect(mine.valid && theirs.valid && mine.useKey !== theirs.useKey).toBe(true);
  });

  it('keeps an escalated SMS with an ack link on a long AWS API URL within one GSM-7 segment', () => {
    const step = planLadder(config.severityPolicy.SEV1, issuedAt.toISOString(), 1)[1] ?? (undefined as never);
    const link = ackLink('https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com', sign());
    const sms = renderSms(anIncident({ title: 'x'.repeat(300), drill: true }), step, link);
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_SEGMENT_SEPTETS);
    expect(sms.endsWith(` Ack: ${link}`)).toBe(true);
    expect(sms).toMatch(/^\[DRILL\] SEV1 ESCALATED #142 x+/);
  });
});

describe('ack signing keys', () => {
  it('reads the Secrets Manager key once per cold start', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(64) });
    const source = secretsManagerAckKey(new SecretsManagerClient({}), 'klaxon/ack-key');
    expect((await source.key()).toString()).toBe('k'.repeat(64));
    await source.key();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'klaxon/ack-key' });
    secrets.restore();
  });

  it('keeps the local key in the data folder, readable by its owner only, across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'klaxon-ack-'));
    const first = await localAckKey(dataDir).key();
    expect(await localAckKey(dataDir).key()).toEqual(first);
    expect(first).toHaveLength(32);
    expect(statSync(join(dataDir, LOCAL_ACK_KEY_FILE)).mode & 0o077).toBe(0);
  });
});
