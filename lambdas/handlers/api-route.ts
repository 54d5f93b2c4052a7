/**
 * A route of the responders' API, and what every route does with its request: find the incident
 * id, read its optional body, tell who acts.
 */
import { incidentIdFor } from '../core/responder-actions.js';
import type { HandlerDeps } from './deps.js';
import {
  BadRequestError,
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
 * Who is acting: the IAM principal on AWS (the CLI signs with the user's credentials), else the
 * `by` the caller names (the local runtime listens on loopback only), else "api".
 */
export function actor(event: HttpEvent, named: string | undefined): string {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn;
  if (iam) return iam.split('/').pop() ?? iam;
  return named ?? 'api';
}
