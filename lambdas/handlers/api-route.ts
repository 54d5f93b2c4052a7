/**
 * A route of the responders' API, and what every route does with its request: find the incident
 * id, read its optional body, tell who acts.
 */
import type { KlaxonConfig } from '../core/config.js';
import { actingAs, type Caller, callerOfPrincipal } from '../core/identity.js';
import { incidentIdFor } from '../core/responder-actions.js';
import { sessionCaller, signedIn } from './console-session.js';
import type { HandlerDeps } from './deps.js';
import {
  BadRequestError,
  ForbiddenError,
  type HttpEvent,
  type HttpResult,
  headerValue,
  isJsonContentType,
  pathParameter,
  readJsonBody,
  UnsupportedMediaTypeError,
} from './http.js';

export type Route = (deps: HandlerDeps, event: HttpEvent) => Promise<HttpResult>;

/** The id of the incident the path names, by id or by number (`/v1/incidents/142`, `/v1/incidents/%23142`). */
export async function incidentId(deps: HandlerDeps, event: HttpEvent): Promise<string> {
  if (!event.pathParameters?.id)
    throw new BadRequestError('The path needs an incident id or number: /v1/incidents/{id}');
  return incidentIdFor(deps.store, pathParameter(event, 'id'));
}

/**
 * An optional JSON body: empty means "no options". An empty body typed as something else (a form
 * with no fields, which another site's page can post) is refused like a non-JSON body.
 */
export function optionalBody(event: HttpEvent): unknown {
  if (event.body) return readJsonBody(event);
  const contentType = headerValue(event, 'content-type');
  if (contentType && !isJsonContentType(contentType)) {
    throw new UnsupportedMediaTypeError(`Content-Type must be application/json, not "${contentType}"`);
  }
  return {};
}

/**
 * Who sent the request, as authentication says: the signed-in responder on a console route, the
 * IAM principal on a management route on AWS (mapped to a responder where the config says so).
 * The local runtime has no IAM: its management routes answer loopback only, and take `by` as said.
 */
export function callerOf(config: KlaxonConfig, event: HttpEvent): Caller {
  const session = signedIn(event);
  if (session) return sessionCaller(session);
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn;
  return iam ? callerOfPrincipal(config, iam) : { kind: 'local' };
}

/** The name an action is recorded under: the caller, and a `by` naming someone else only "on behalf of" (actingAs). */
export const actor = (deps: Pick<HandlerDeps, 'config'>, event: HttpEvent, named: string | undefined): string =>
  actingAs(callerOf(deps.config, event), named);

/**
 * The responder who takes an incident: the caller themselves. Taking is for oneself; handing an
 * incident to someone else is a reassign.
 */
export function takingResponder(
  deps: Pick<HandlerDeps, 'config'>,
  event: HttpEvent,
  named: string | undefined,
): string {
  const caller = callerOf(deps.config, event);
  if (caller.kind === 'local') {
    if (!named) throw new BadRequestError('Say who takes it: {"by": "<responder id>"}');
    return named;
  }
  if (caller.kind === 'principal') {
    throw new ForbiddenError(
      `Your IAM principal (${caller.principal}) is not a responder, and only a responder can take an incident: add its ARN to your responder's iamPrincipals in klaxon.config.json, or hand the incident over with reassign`,
    );
  }
  if (named !== undefined && named !== caller.responder) {
    throw new ForbiddenError(
      `You are ${caller.responder} and can take an incident only for yourself; to hand it to ${named}, reassign it`,
    );
  }
  return caller.responder;
}
