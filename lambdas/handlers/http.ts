/**
 * HTTP plumbing shared by the API Gateway handlers: a typed error family, the middy middleware
 * that turns errors into JSON answers a person can act on, and a guarded JSON body reader.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from './logger.js';

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

/** A path parameter that does not percent-decode: the link or the caller's encoding is broken. */
export class MalformedPathError extends BadRequestError {
  override name = 'MalformedPathError';
}

/**
 * A path parameter, percent-decoded. A broken escape (`%E0`) throws URIError, which the error
 * handler would answer with a 503 "retry it": retrying the same broken path cannot help, so it
 * is a 400 that says what is wrong. Routes that answer a person with HTML catch it to say so in a page.
 */
export function pathParameter(event: HttpEvent, name: string): string {
  const raw = event.pathParameters?.[name] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new MalformedPathError(
      `The {${name}} in the path has broken percent-encoding (a "%" not followed by a valid UTF-8 escape); check the link, or encode the value again`,
    );
  }
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
      const error = request.error;
      if (error instanceof HttpError) {
        if (error.statusCode >= 500) options.logger.error(error.message, { error });
        request.response = json(error.statusCode, { ...error.fields, message: error.message });
        return;
      }
      options.logger.error('Request failed', { error, routeKey: request.event.routeKey });
      request.response = json(503, {
        message:
          'Klaxon could not complete the request (storage or a downstream service failed); part of it may have been done. Retry it: the retry finishes it and does nothing twice.',
      });
    },
  };
}

/** API Gateway caps payloads at 10 MB; alerts are small, so anything this large is a mistake or an attack. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * `maxBytes` raises (or lowers) the limit for a route whose senders legitimately send more (an
 * Alertmanager group); it stays under what API Gateway hands a synchronous Lambda invoke (6 MB).
 */
export function readJsonBody(event: HttpEvent, options: { alsoTextPlain?: boolean; maxBytes?: number } = {}): unknown {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const contentType = headerValue(event, 'content-type');
  const isJson = (type: string) => /^application\/(?:[\w.+-]+\+)?json\b/i.test(type.trim());
  // SNS posts its JSON envelope as text/plain.
  const isText = (type: string) => options.alsoTextPlain === true && /^text\/plain\b/i.test(type.trim());
  if (contentType && !isJson(contentType) && !isText(contentType)) {
    const wanted = options.alsoTextPlain ? 'application/json or text/plain' : 'application/json';
    throw new UnsupportedMediaTypeError(`Content-Type must be ${wanted}, not "${contentType}"`);
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

export function headerValue(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
