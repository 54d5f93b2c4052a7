/**
 * Who a request comes from: the console's session (its authorizer on AWS, with a real
 * aws-jwt-verify over tokens signed by a key made here; the local sign-in's cookie) and the
 * IAM principal of an API call, and the name an action is then recorded under.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { parseConfig } from '../../lambdas/core/config.js';
import { actingAs, callerOfPrincipal } from '../../lambdas/core/identity.js';
import { consoleAuthorizer } from '../../lambdas/handlers/console-authorizer.js';
import type { Logger } from '../../lambdas/handlers/logger.js';
import { ManualClock } from '../../local/clock.js';
import { localSignIn } from '../../local/console-sign-in.js';
import { testConfig } from '../support/local.js';

const POOL = 'us-east-1_Klaxon1';
const CLIENT = 'consoleclient0000000000000';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;

describe('the console sign-in authorizer (AWS)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const verifier = CognitoJwtVerifier.create({ userPoolId: POOL, clientId: CLIENT, tokenUse: 'id' });
  verifier.cacheJwks({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig' }],
  });
  const authorize = consoleAuthorizer(testConfig(), (token) => verifier.verify(token), quiet);

  const token = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${part({ alg: 'RS256', kid: 'k1' })}.${part({ iss: ISSUER, aud: CLIENT, token_use: 'id', iat: now, exp: now + 3600, email_verified: true, ...claims })}`;
    return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url')}`;
  };
  const withCookie = (value: string) => ({ cookies: ['other=1', `klaxon-session=${value}`] });

  it("accepts a valid ID token of a responder's email and names the responder", async () => {
    await expect(authorize(withCookie(token({ email: 'Secondary-Oncall@example.com' })))).resolves.toEqual({
      isAuthorized: true,
      context: { responder: 'secondary-oncall', email: 'Secondary-Oncall@example.com' },
    });
  });

  it.each([
    ['no session cookie', { cookies: ['other=1'] }],
    [
      'an expired token',
      withCookie(token({ email: 'primary-oncall@example.com', exp: Math.floor(Date.now() / 1000) - 60 })),
    ],
    ['a token for another app client', withCookie(token({ email: 'primary-oncall@example.com', aud: 'someoneelse' }))],
    ['an access token', withCookie(token({ email: 'primary-oncall@example.com', token_use: 'access' }))],
    ['a forged signature', withCookie(`${token({ email: 'primary-oncall@example.com' }).slice(0, -4)}AAAA`)],
    ['an unverified email', withCookie(token({ email: 'primary-oncall@example.com', email_verified: false }))],
    ['an email that is no responder', withCookie(token({ email: 'intruder@example.com' }))],
  ])('refuses %s', async (_, event) => {
    await expect(authorize(event)).resolves.toEqual({ isAuthorized: false });
  });
});

describe('the local sign-in', () => {
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const local = localSignIn(testConfig(), clock);
  const request = (remoteAddress: string) => ({ socket: { remoteAddress } }) as never;
  const cookieOf = (answer: { cookies?: string[] }) => answer.cookies?.[0]?.split(';')[0] ?? '';

  it('signs in a responder from this machine only, with an HttpOnly SameSite cookie that lasts a shift', async () => {
    const answer = local.signIn(request('127.0.0.1'), 'responder=eng-manager');
    expect(answer).toMatchObject({ statusCode: 303, headers: { location: '/' } });
    expect(answer.cookies?.[0]).toMatch(
      /^klaxon-session=[\w-]+\.[\w-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/,
    );
    expect(local.authorize({ cookies: [cookieOf(answer)] })).toEqual({
      responder: 'eng-manager',
      email: 'eng-manager@example.com',
    });
    await clock.advance(8 * 3600_000 - 1);
    expect(local.authorize({ cookies: [cookieOf(answer)] })?.responder).toBe('eng-manager');
    await clock.advance(1);
    expect(local.authorize({ cookies: [cookieOf(answer)] })).toBeUndefined();

    expect(local.signIn(request('192.0.2.7'), 'responder=eng-manager')).toMatchObject({ statusCode: 403 });
    expect(local.signIn(request('::1'), 'responder=nobody')).toMatchObject({ statusCode: 400 });
  });

  it('refuses a cookie it did not sign', () => {
    const [payload] = cookieOf(local.signIn(request('::1'), 'responder=eng-manager'))
      .slice('klaxon-session='.length)
      .split('.');
    const forged = Buffer.from(JSON.stringify({ responder: 'executive', expires: 9e15 })).toString('base64url');
    expect(local.authorize({ cookies: [`klaxon-session=${forged}.${payload}`] })).toBeUndefined();
    expect(local.authorize({ cookies: ['klaxon-session=garbage'] })).toBeUndefined();
  });
});

describe('who an action is recorded as', () => {
  const config = parseConfig({
    ...testConfig(),
    responders: testConfig().responders.map((responder) =>
      responder.id === 'primary-oncall'
        ? { ...responder, iamPrincipals: ['arn:aws:sts::123456789012:assumed-role/Oncall/priya'] }
        : responder,
    ),
  });

  it.each([
    ['a mapped principal', 'arn:aws:sts::123456789012:assumed-role/Oncall/priya', undefined, 'primary-oncall'],
    [
      'a mapped principal naming itself',
      'arn:aws:sts::123456789012:assumed-role/Oncall/priya',
      'primary-oncall',
      'primary-oncall',
    ],
    [
      'a mapped principal naming someone else',
      'arn:aws:sts::123456789012:assumed-role/Oncall/priya',
      'executive',
      'primary-oncall on behalf of executive',
    ],
    ['an unmapped IAM user', 'arn:aws:iam::123456789012:user/ci-bot', undefined, 'user/ci-bot'],
    [
      'an unmapped role naming a responder',
      'arn:aws:sts::123456789012:assumed-role/Chatops/bot',
      'secondary-oncall',
      'assumed-role/Chatops/bot on behalf of secondary-oncall',
    ],
  ])('%s', (_, arn, named, recorded) => {
    expect(actingAs(callerOfPrincipal(config, arn), named)).toBe(recorded);
  });

  it("takes the local runtime's `by` as said (no IAM there), and a signed-in responder as themselves", () => {
    expect(actingAs({ kind: 'local' }, 'eng-manager')).toBe('eng-manager');
    expect(actingAs({ kind: 'local' }, undefined)).toBe('api');
    expect(actingAs({ kind: 'responder', responder: 'eng-manager' }, 'executive')).toBe(
      'eng-manager on behalf of executive',
    );
  });

  it('refuses a config in which two responders share an email or an IAM principal', () => {
    const [first, second, ...rest] = testConfig().responders;
    const arn = 'arn:aws:iam::123456789012:user/shared';
    expect(() =>
      parseConfig({
        ...testConfig(),
        responders: [
          { ...first, iamPrincipals: [arn] },
          { ...second, email: first?.email.toUpperCase(), iamPrincipals: [arn] },
          ...rest,
        ],
      }),
    ).toThrow(/is also the email of "primary-oncall"[\s\S]*listed more than once/);
  });
});
