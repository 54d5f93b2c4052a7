/**
 * Sign-in on this machine: no user pool and no password. GET /auth/sign-in lists the responders;
 * picking one posts to /_local/sign-in, which answers only a loopback peer and sets a session
 * cookie: an HMAC-signed responder id and expiry, with a key made at start (a restart signs
 * everyone out). The gateway checks it on each console route as the sign-in authorizer does on
 * AWS, and hands the console the same context, so the console's own code is the same in both.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KlaxonConfig } from '../lambdas/core/config.js';
import { responderById } from '../lambdas/core/config-lookups.js';
import type { Clock } from '../lambdas/core/ports.js';
import {
  cookieValue,
  SESSION_COOKIE,
  SESSION_HOURS,
  type SessionContext,
  type SignInFlow,
  setCookie,
} from '../lambdas/handlers/console-session.js';
import { escapeHtml, htmlResult, page } from '../lambdas/handlers/html.js';
import type { HttpEvent, HttpResult } from '../lambdas/handlers/http.js';

export const LOCAL_SIGN_IN_PATH = '/_local/sign-in';

const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface LocalSignIn {
  flow: SignInFlow;
  /** The session a request's cookies carry, if it is one this runtime signed and it has not expired. */
  authorize(event: Pick<HttpEvent, 'cookies'>): SessionContext | undefined;
  /** POST /_local/sign-in with `responder=<id>`: the answer to write (a redirect with the cookie, or a refusal). */
  signIn(request: IncomingMessage, body: string): HttpResult;
}

export function localSignIn(config: KlaxonConfig, clock: Clock): LocalSignIn {
  const key = randomBytes(32);
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  const issue = (responder: string, expires: number) => {
    const payload = Buffer.from(JSON.stringify({ responder, expires })).toString('base64url');
    return `${payload}.${mac(payload)}`;
  };

  const refused = (status: number, why: string): HttpResult =>
    htmlResult(
      status,
      page(
        'Not signed in',
        `<h1>Not signed in</h1><p>${escapeHtml(why)}</p><p><a href="/auth/sign-in">Sign in</a></p>`,
      ),
    );

  return {
    flow: {
      async start() {
        const buttons = config.responders
          .map(
            (responder) =>
              `<li><form method="post" action="${LOCAL_SIGN_IN_PATH}"><input type="hidden" name="responder" value="${escapeHtml(responder.id)}"><button type="submit">${escapeHtml(responder.name)} (${escapeHtml(responder.id)})</button></form></li>`,
          )
          .join('\n');
        return htmlResult(
          200,
          page(
            'Sign in',
            `<h1>Sign in</h1>
<p>On this machine there is no password: pick who you are. On AWS this is the user pool's sign-in page.</p>
<ul>${buttons}</ul>`,
            { narrow: true },
          ),
        );
      },
      async finish() {
        return refused(404, 'On this machine there is no sign-in callback: pick a responder on the sign-in page.');
      },
      signedOut: () => '/auth/sign-in',
    },
    authorize(event) {
      const [payload, signature] = (cookieValue(event, SESSION_COOKIE) ?? '').split('.');
      if (!payload || !signature) return undefined;
      const expected = mac(payload);
      if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
        return undefined;
      }
      const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        responder: string;
        expires: number;
      };
      const responder = responderById(config, session.responder);
      if (!responder || clock.now().getTime() >= session.expires) return undefined;
      return { responder: responder.id, email: responder.email };
    },
    signIn(request, body) {
      if (!LOOPBACK_PEERS.has(request.socket.remoteAddress ?? '')) {
        return refused(403, 'Signing in without a password is for a browser on this machine only.');
      }
      const responder = responderById(config, new URLSearchParams(body).get('responder') ?? '');
      if (!responder) return refused(400, 'Pick a responder from the list.');
      const lifetime = SESSION_HOURS * 3600;
      return {
        statusCode: 303,
        headers: { location: '/', 'cache-control': 'no-store' },
        cookies: [
          setCookie(
            { headers: {} },
            SESSION_COOKIE,
            issue(responder.id, clock.now().getTime() + lifetime * 1000),
            lifetime,
          ),
        ],
        body: '',
      };
    },
  };
}
