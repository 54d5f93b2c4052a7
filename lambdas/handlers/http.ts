/**
 * HTTP plumbing shared by the API Gateway handlers: a typed error family, the one mapping of the
 * core's errors to statuses, the middy middleware that turns errors into JSON answers a person
 * can act on, and a guarded JSON body reader.
 */

import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { CertificateUnavailableError, SignatureRejectedError } from '../adapters/sns-errors.js';
import { HEARTBEAT_NAME, SERVICE_NAME } from '../core/config-terms.js';
import { INCIDENT_ID, incidentNumberOf } from '../core/incident.js';
import { loadOnce } from '../core/load-once.js';
import { MaintenanceWindowRefusedError } from '../core/maintenance.js';
import { InvalidCursorError } from '../core/ports.js';
import {
  DrillIdTakenError,
  HeartbeatNotFoundError,
  HeartbeatRefusedError,
  IncidentNotFoundError,
  InvalidOverrideError,
  OverrideNotFoundError,
  TransitionRefusedError,
  UnknownResponderError,
  UnknownTeamError,
} from '../core/refusals.js';
import type { Logger } from './logger.js';
import { groupOfRouteKey } from './routes.js';
import { validationIssues } from './validation.js';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra fields for the JSON body, beside `message`. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
export class BadRequestError extends HttpError {
  override name = 'BadRequestError';
  constructor(message: string, fields?: Record<string, unknown>) {
    super(400, message, fields);
  }
}
export class UnauthorizedError extends HttpError {
  override name = 'UnauthorizedError';
  constructor(message: string, fields?: Record<string, unknown>) {
    super(401, message, fields);
  }
}
export class ForbiddenError extends HttpError {
  override name = 'ForbiddenError';
  constructor(message: string, fields?: Record<string, unknown>) {
    super(403, message, fields);
  }
}
export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(404, message);
  }
}
export class ConflictError extends HttpError {
  override name = 'ConflictError';
  constructor(message: string) {
    super(409, message);
  }
}
export class PayloadTooLargeError extends HttpError {
  override name = 'PayloadTooLargeError';
  constructor(message: string) {
    super(413, message);
  }
}
export class UnsupportedMediaTypeError extends HttpError {
  override name = 'UnsupportedMediaTypeError';
  constructor(message: string) {
    super(415, message);
  }
}

/**
 * What each error the core (and the SNS signature check) can refuse a request with means over
 * HTTP. Every handler lets these errors through; JSON routes answer with jsonErrors, HTML routes
 * put the same status and message in a page.
 */
const CORE_ERROR_STATUSES: readonly {
  type: abstract new (...args: never[]) => Error;
  status: number;
  hint?: string;
}[] = [
  { type: IncidentNotFoundError, status: 404 },
  { type: TransitionRefusedError, status: 409 },
  { type: InvalidCursorError, status: 400 },
  { type: UnknownResponderError, status: 400 },
  { type: MaintenanceWindowRefusedError, status: 400 },
  { type: HeartbeatNotFoundError, status: 404 },
  { type: HeartbeatRefusedError, status: 409 },
  { type: UnknownTeamError, status: 400 },
  { type: DrillIdTakenError, status: 409 },
  { type: InvalidOverrideError, status: 400 },
  { type: OverrideNotFoundError, status: 404 },
  { type: SignatureRejectedError, status: 403 },
  // The certificate could not be fetched now: SNS retries a 5xx, and so should anyone else.
  { type: CertificateUnavailableError, status: 503, hint: '; retry later' },
];

/** The HTTP answer an error stands for, or undefined for a failure (storage, a bug): a 5xx the caller retries. */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const known = CORE_ERROR_STATUSES.find((entry) => error instanceof entry.type);
  return known ? new HttpError(known.status, `${(error as Error).message}${known.hint ?? ''}`) : undefined;
}

/** A path parameter that does not percent-decode: the link or the caller's encoding is broken. */
export class MalformedPathError extends BadRequestError {
  override name = 'MalformedPathError';
}

/**
 * What each path parameter of the route table (routes.ts) can be, checked before the value
 * reaches a store key (DynamoDB refuses keys over 2 KB with an error that would read as a 503).
 * A value no incident can have is a 404 (there is no such incident); a value no link or service
 * name can have is a 400 (the link or the name is wrong).
 */
const PATH_PARAMETERS = {
  id: (value: string) => {
    if (!INCIDENT_ID.test(value) && incidentNumberOf(value) === undefined) {
      throw new NotFoundError(
        `No incident ${shown(value)}: name an incident by its number (142, or #142 written %23142 in a path), its id (a ULID: 26 letters and digits, such as 01JD3Z7Q8T5VY8R7XWQ9M2B4KC) or a drill id (at most 64 letters, digits, "-" and "_")`,
      );
    }
  },
  name: (value: string) => {
    if (!SERVICE_NAME.test(value)) {
      throw new MalformedPathError(
        `The service name must be letters, digits, ".", "_" or "-" (at most 128), not ${shown(value)}`,
      );
    }
  },
  monitor: (value: string) => {
    if (!HEARTBEAT_NAME.test(value)) {
      throw new NotFoundError(
        `No heartbeat monitor named ${shown(value)}: monitor names are 1 to 61 letters, digits, ".", "_" or "-"`,
      );
    }
  },
  token: (value: string) => {
    if (!ACK_TOKEN.test(value)) {
      throw new MalformedPathError(
        'This link is damaged: an acknowledge link ends in its token (letters, digits, "-" and "_"). Copy the whole link from the page message, or acknowledge with the CLI or the console.',
      );
    }
  },
} satisfies Record<string, (value: string) => void>;
export type PathParameterName = keyof typeof PATH_PARAMETERS;
export const PATH_PARAMETER_NAMES = Object.keys(PATH_PARAMETERS) as PathParameterName[];

/** Signed tokens are under 600 characters even for the longest drill id; base64url only. */
const ACK_TOKEN = /^[A-Za-z0-9_-]{1,1024}$/;

/** A caller's value, quoted in an answer, cut short: a 3,000-character id does not come back whole. */
const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

/**
 * A path parameter, percent-decoded and checked against what it can be (PATH_PARAMETERS). A
 * broken escape (`%E0`) throws URIError, which the error handler would answer with a 503 "retry
 * it": retrying the same broken path cannot help, so it is a 400 that says what is wrong. Routes
 * that answer a person with HTML catch these errors to say so in a page.
 */
export function pathParameter(event: HttpEvent, name: PathParameterName): string {
  const raw = event.pathParameters?.[name] ?? '';
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new MalformedPathError(
      `The {${name}} in the path has broken percent-encoding (a "%" not followed by a valid UTF-8 escape); check the link, or encode the value again`,
    );
  }
  PATH_PARAMETERS[name](value);
  return value;
}

/** `value` as `schema` has it, or a 400 that lists each problem (also as `errors`, one per line). */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: 'body' | 'query' | 'form'): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = validationIssues(parsed.error, what);
  throw new BadRequestError(`Invalid ${what}: ${errors.join('; ')}`, { errors });
}

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/**
 * Any error becomes a JSON answer: HttpErrors say what was wrong with the request; anything else
 * is a 5xx, which tells the caller to retry. It must not claim nothing happened: the failure can
 * come after a write (an acknowledgement stored, its timeline entry not), and the retry is what
 * finishes such a request, without doing any of it twice.
 */
export function jsonErrors(options: { logger: Logger }): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const error = httpErrorOf(request.error);
      if (error) {
        if (error.statusCode >= 500) options.logger.error(error.message, { error });
        // A person's typo or a stale link: worth a line, not an alarm. Alert routes log their
        // refusals as warnings, with the sender, and count them (refused-alerts.ts).
        else if (groupOfRouteKey(request.event.routeKey) !== 'alert-intake') {
          options.logger.info('Request refused', {
            status: error.statusCode,
            route: request.event.routeKey,
            reason: error.message.slice(0, 500),
          });
        }
        request.response = json(error.statusCode, { ...error.fields, message: error.message });
        return;
      }
      request.response = requestFailed(options.logger, request.error, request.event);
    },
  };
}

/** What a request that failed for no reason of its own gets: a 503 that says to retry, and an error line. */
function requestFailed(logger: Logger, error: unknown, event: HttpEvent): HttpResult {
  logger.error('Request failed', { error, routeKey: event.routeKey });
  return json(503, {
    message:
      'Klaxon could not complete the request (storage or a downstream service failed); part of it may have been done. Retry it: the retry finishes it and does nothing twice.',
  });
}

/**
 * A route whose handler, with the code it needs, is loaded by its first request (loadOnce). A
 * load that fails is answered as any failed request (503, retry), not left to the platform's bare
 * 500, and the next request tries the load again.
 */
export function routeOnFirstUse<Context>(
  logger: Logger,
  load: () => Promise<(event: HttpEvent, context: Context) => Promise<HttpResult>>,
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  const loaded = loadOnce(load);
  return async (event, context) => {
    let route: Awaited<ReturnType<typeof load>>;
    try {
      route = await loaded();
    } catch (error) {
      return requestFailed(logger, error, event);
    }
    return route(event, context);
  };
}

/** The body as the client sent it: API Gateway base64-encodes a body it takes for binary. */
export function bodyText(event: HttpEvent): string {
  return event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
}

/** API Gateway caps payloads at 10 MB; alerts are small, so anything this large is a mistake or an attack. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * `maxBytes` raises the MAX_BODY_BYTES default for a route whose senders legitimately send more
 * (PagerDuty's Events API takes 512 KB, an Alertmanager group several MB); it stays under what
 * API Gateway hands a synchronous Lambda invoke (6 MB).
 */
export function readJsonBody(event: HttpEvent, options: { alsoTextPlain?: boolean; maxBytes?: number } = {}): unknown {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const contentType = headerValue(event, 'content-type');
  // SNS posts its JSON envelope as text/plain.
  const isText = (type: string) => options.alsoTextPlain === true && /^text\/plain\b/i.test(type.trim());
  // Required, not assumed: a body with no type (or a form's) is what another site's page can send.
  if (!contentType || (!isJsonContentType(contentType) && !isText(contentType))) {
    const wanted = options.alsoTextPlain ? 'application/json or text/plain' : 'application/json';
    throw new UnsupportedMediaTypeError(
      contentType
        ? `Content-Type must be ${wanted}, not "${contentType}"`
        : `Content-Type is missing; send the body as ${wanted} (header "content-type: application/json")`,
    );
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new PayloadTooLargeError(`Body is ${bytes.length} bytes; the limit is ${maxBytes} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError('Body is not valid UTF-8');
  }
  if (text.trim() === '') throw new BadRequestError('Body is empty; send a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`Body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError(`Body must be a JSON object, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  refuseHostileShape(parsed);
  return parsed;
}

/** No alert is nested this deep; deeper means a mistake or an attempt to exhaust the stack. */
export const MAX_JSON_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks the parsed body without recursion: refuses nesting deeper than MAX_JSON_DEPTH and keys
 * that could reach an object's prototype when copied onto another object.
 */
export function refuseHostileShape(value: unknown): void {
  const pending: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 1, path: 'body' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, depth, path } = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new BadRequestError(
        `Body is nested deeper than ${MAX_JSON_DEPTH} levels (at ${path.slice(0, 200)}); flatten it`,
      );
    }
    for (const [key, child] of Object.entries(node)) {
      if (FORBIDDEN_KEYS.has(key))
        throw new BadRequestError(`Body has a forbidden key "${key}" at ${path.slice(0, 200)}`);
      pending.push({ node: child, depth: depth + 1, path: `${path}.${key}` });
    }
  }
}

/** `application/json` or a `+json` type, with or without parameters. */
export function isJsonContentType(type: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(type.trim());
}

export function headerValue(event: Pick<HttpEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header (Alertmanager's way of sending a key). */
export function bearerToken(event: HttpEvent): string | undefined {
  const header = headerValue(event, 'authorization');
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}
