/**
 * The console's session: a cookie that carries the sign-in's token, the responder the sign-in
 * authorizer found for it, and the form token every console form must post back.
 *
 * The cookie is HttpOnly (no page script can read it), Secure where the console is served over
 * HTTPS (always on AWS), SameSite=Lax (another site's page cannot post with it, while a link from
 * a page message still opens the console signed in), and lives no longer than its token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../core/identity.js';
import { type HttpEvent, type HttpResult, headerValue } from './http.js';

export const SESSION_COOKIE = 'klaxon-session';

/**
 * What starts and finishes a sign-in: Cognito's managed login on AWS, a page that picks a
 * responder on this machine. `start` answers GET /auth/sign-in, `finish` GET /auth/callback,
 * `signedOut` is where sign-out sends the browser once the cookie is cleared.
 */
export interface SignInFlow {
  start(event: HttpEvent): Promise<HttpResult>;
  finish(event: HttpEvent): Promise<HttpResult>;
  signedOut(event: HttpEvent): string;
}

/** What the sign-in authorizer hands the console (API Gateway's `requestContext.authorizer.lambda`). */
export interface SessionContext {
  responder: string;
  email: string;
}

/** A cookie's value from the event (API Gateway payload 2.0 passes cookies in `cookies`). */
export function cookieValue(event: Pick<HttpEvent, 'cookies'>, name: string): string | undefined {
  const prefix = `${name}=`;
  return event.cookies?.find((cookie) => cookie.startsWith(prefix))?.slice(prefix.length) || undefined;
}

/**
 * A cookie for `path` that expires after `maxAgeSeconds` (0 clears it). Secure when the request
 * came over HTTPS (API Gateway says so in X-Forwarded-Proto) or `secure` says it must be.
 */
export function setCookie(
  event: Pick<HttpEvent, 'headers'>,
  name: string,
  value: string,
  maxAgeSeconds: number,
  options: { path?: string; secure?: boolean } = {},
): string {
  const secure = options.secure || headerValue(event, 'x-forwarded-proto') === 'https' ? '; Secure' : '';
  return `${name}=${value}; Path=${options.path ?? '/'}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; SameSite=Lax${secure}`;
}

/** How long a session lasts: a shift. The user pool's ID tokens live as long (lib/console-sign-in.ts). */
export const SESSION_HOURS = 8;

/** The signed-in responder, as the authorizer found it; undefined on a route it does not guard. */
export function signedIn(event: HttpEvent): SessionContext | undefined {
  const context = (event.requestContext as { authorizer?: { lambda?: Partial<SessionContext> } }).authorizer?.lambda;
  return context?.responder && context.email ? { responder: context.responder, email: context.email } : undefined;
}

export const sessionCaller = (session: SessionContext): Caller => ({ kind: 'responder', responder: session.responder });

/**
 * The form token of a session: a hash of its token, so it needs no key and no storage (the same
 * on AWS and on this machine), changes with every sign-in, and tells nothing about the cookie it
 * stands for. Another site's page can neither read it nor compute it.
 */
export function formTokenOf(event: HttpEvent): string | undefined {
  const session = cookieValue(event, SESSION_COOKIE);
  return session ? createHash('sha256').update(`klaxon-form\n${session}`).digest('base64url') : undefined;
}

/** The name of the hidden field that carries the form token (console-pages.ts writes it, web-console.ts checks it). */
export const FORM_TOKEN_FIELD = 'formToken';

/** Whether a posted form carries its session's form token. */
export function carriesFormToken(event: HttpEvent, posted: string | null): boolean {
  const expected = formTokenOf(event);
  if (!expected || !posted || posted.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(posted), Buffer.from(expected));
}
