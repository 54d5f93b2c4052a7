/**
 * The sign-in authorizer of the console routes (an API Gateway HTTP API Lambda authorizer, simple
 * responses): the session cookie's token must verify, and its verified email must be a
 * responder's. The responder goes to the console as the authorizer's context; anything else is
 * refused before the console runs.
 */
import type { KlaxonConfig } from '../core/config.js';
import { responderByEmail } from '../core/identity.js';
import { cookieValue, SESSION_COOKIE, type SessionContext } from './console-session.js';
import type { Logger } from './logger.js';

/** The claims a verified session token must carry. */
export interface SessionClaims {
  email?: unknown;
  email_verified?: unknown;
}

/** Verifies a token (signature, issuer, audience, expiry) and returns its claims; throws when it does not verify. */
export type VerifySessionToken = (token: string) => Promise<SessionClaims>;

export interface AuthorizerEvent {
  cookies?: string[];
}

export interface AuthorizerResult {
  isAuthorized: boolean;
  context?: SessionContext & Record<string, string>;
}

export const consoleAuthorizer =
  (config: KlaxonConfig, verify: VerifySessionToken, logger: Logger) =>
  async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const token = cookieValue(event, SESSION_COOKIE);
    if (!token) return { isAuthorized: false };
    let claims: SessionClaims;
    try {
      claims = await verify(token);
    } catch (error) {
      logger.info('Console session refused', { reason: (error as Error).message.slice(0, 200) });
      return { isAuthorized: false };
    }
    // An email the user changed and never verified names nobody.
    if (typeof claims.email !== 'string' || claims.email_verified !== true) return { isAuthorized: false };
    const responder = responderByEmail(config, claims.email);
    if (!responder) {
      logger.info('Console session of a user who is no responder', { email: claims.email });
      return { isAuthorized: false };
    }
    return { isAuthorized: true, context: { responder: responder.id, email: claims.email } };
  };
