/**
 * Sign-in on AWS: Cognito's managed login with the OAuth 2.0 authorization code flow and PKCE.
 * GET /auth/sign-in sends the browser to the managed login with a fresh `state` and code
 * challenge, kept in a short-lived cookie; GET /auth/callback checks the state, exchanges the code
 * (with its verifier) for tokens at the user pool's token endpoint, and keeps the ID token as the
 * session cookie. The sign-in authorizer verifies that token on every console request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { cookieValue, SESSION_COOKIE, type SignInFlow, setCookie } from '../handlers/console-session.js';
import { escapeHtml, htmlResult, page } from '../handlers/html.js';
import type { HttpResult } from '../handlers/http.js';
import { ENV, requireEnv } from './environment.js';

const SIGN_IN_COOKIE = 'klaxon-sign-in';
/** A sign-in left unfinished for ten minutes starts over. */
const SIGN_IN_SECONDS = 600;

const b64url = (bytes: Buffer) => bytes.toString('base64url');

export interface CognitoSignInSettings {
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: the user pool's managed login domain. */
  domain: string;
  clientId: string;
  /** The console's base URL, whose /auth/callback is the app client's callback URL. */
  baseUrl: string;
  /** How the token endpoint is called (fetch; a test passes its own). */
  fetch?: typeof fetch;
  now?: () => Date;
}

export const cognitoSettingsFromEnv = (): CognitoSignInSettings => ({
  domain: requireEnv(ENV.signInDomain),
  clientId: requireEnv(ENV.signInClientId),
  baseUrl: requireEnv(ENV.publicBaseUrl),
});

const failed = (status: number, why: string): HttpResult =>
  htmlResult(
    status,
    page(
      'Sign-in failed',
      `<h1>Sign-in failed</h1><p>${escapeHtml(why)}</p><p><a href="/auth/sign-in">Sign in again</a></p>`,
    ),
  );

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The claims of a JWT the token endpoint just returned over TLS (the authorizer verifies its signature on every request). */
function claimsOf(jwt: string): { email?: string; exp?: number } {
  const payload = jwt.split('.')[1] ?? '';
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { email?: string; exp?: number };
  } catch {
    return {};
  }
}

export function cognitoSignIn(settings: CognitoSignInSettings): SignInFlow {
  const callback = `${settings.baseUrl}/auth/callback`;
  const call = settings.fetch ?? fetch;
  const now = settings.now ?? (() => new Date());
  return {
    async start(event) {
      const state = b64url(randomBytes(16));
      const verifier = b64url(randomBytes(32));
      const challenge = b64url(createHash('sha256').update(verifier).digest());
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: callback,
        scope: 'openid email',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      return {
        statusCode: 303,
        headers: { location: `${settings.domain}/oauth2/authorize?${query}`, 'cache-control': 'no-store' },
        cookies: [
          setCookie(event, SIGN_IN_COOKIE, `${state}.${verifier}`, SIGN_IN_SECONDS, { path: '/auth/', secure: true }),
        ],
        body: '',
      };
    },
    async finish(event) {
      const query = event.queryStringParameters ?? {};
      if (query.error) return failed(400, `The sign-in page answered: ${query.error_description ?? query.error}`);
      const [state, verifier] = (cookieValue(event, SIGN_IN_COOKIE) ?? '').split('.');
      if (!state || !verifier || !query.state || !sameText(state, query.state) || !query.code) {
        return failed(400, 'This sign-in was not started in this browser, or took longer than ten minutes.');
      }
      const response = await call(`${settings.domain}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: settings.clientId,
          code: query.code,
          redirect_uri: callback,
          code_verifier: verifier,
        }),
      });
      if (!response.ok) return failed(400, `The user pool refused the sign-in code (${response.status}).`);
      const tokens = (await response.json()) as { id_token?: string };
      const claims = tokens.id_token ? claimsOf(tokens.id_token) : {};
      if (!tokens.id_token || !claims.exp) return failed(502, 'The user pool answered without an ID token.');
      return {
        statusCode: 303,
        headers: { location: '/', 'cache-control': 'no-store' },
        cookies: [
          setCookie(event, SESSION_COOKIE, tokens.id_token, claims.exp - now().getTime() / 1000, { secure: true }),
          setCookie(event, SIGN_IN_COOKIE, '', 0, { path: '/auth/', secure: true }),
        ],
        body: '',
      };
    },
    signedOut() {
      const query = new URLSearchParams({
        client_id: settings.clientId,
        logout_uri: `${settings.baseUrl}/auth/sign-in`,
      });
      return `${settings.domain}/logout?${query}`;
    },
  };
}
