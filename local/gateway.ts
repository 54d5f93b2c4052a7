/**
 * The local HTTP gateway: turns a request into the API Gateway (HTTP API, payload 2.0) event the
 * Lambda would get, calls the same handler, and writes its result back.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { HTTP_ROUTES, type HttpRoute, routeKey } from '../lambdas/handlers/routes.js';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** API Gateway's own payload limit for HTTP APIs. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export class RequestTooLargeError extends Error {
  override name = 'RequestTooLargeError';
}

export async function readBody(request: IncomingMessage, limit = GATEWAY_MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestTooLargeError(`Request body is over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

interface MatchedRoute {
  route: HttpRoute;
  pathParameters: Record<string, string>;
}

export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const route of HTTP_ROUTES) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? '']));
    return { route, pathParameters };
  }
  return undefined;
}

const TEXTUAL = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded)|text\/)/i;

export function toApiGatewayEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  matched: MatchedRoute,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // As API Gateway does: cookies leave the headers for `cookies`, one entry per cookie.
  const cookies = headers.cookie?.split(/;\s*/).filter((cookie) => cookie !== '');
  delete headers.cookie;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  // API Gateway passes text bodies as they are and base64-encodes the rest; invalid UTF-8 counts as binary.
  const contentType = headers['content-type'] ?? '';
  const isText = (contentType === '' || TEXTUAL.test(contentType)) && isValidUtf8(body);
  const key = routeKey(matched.route);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: Object.keys(matched.pathParameters).length > 0 ? matched.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function writeLambdaResult(response: ServerResponse, result: unknown): void {
  const structured = (
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? result
      : { statusCode: 200, body: JSON.stringify(result), headers: { 'content-type': 'application/json' } }
  ) as APIGatewayProxyStructuredResultV2;
  const body = structured.body ?? '';
  const headers: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(structured.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  response.writeHead(structured.statusCode ?? 200, headers);
  response.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

export function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  response.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
