/**
 * The local runtime's way into its own dynalite: the SDK client's request, exactly as it would
 * go on the wire (same JSON body, same X-Amz-Target), handed to dynalite's request listener in
 * this process instead of over a loopback socket. Every SDK middleware still runs (retries,
 * marshalling, the operation counter and the injected faults); only the socket is skipped.
 *
 * Why: on the 2-core bench machine a third of each DynamoDB call's CPU went to the HTTP client,
 * the server's parser and SigV4 hashing for a server that checks only that an Authorization
 * header is present (see `signLocally`). The listening server stays up for other tools.
 */
import { EventEmitter } from 'node:events';
import type { RequestListener } from 'node:http';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type RequestHandler = NonNullable<DynamoDBClientConfig['requestHandler']>;
type AuthScheme = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>[number];

/** The part of the SDK's HttpRequest used here. */
interface WireRequest {
  method: string;
  path: string;
  query?: Record<string, string | (string | null)[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What dynalite reads of a request: method, url, headers and the body as events. */
class LocalRequest extends EventEmitter {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
  ) {
    super();
  }
}

/** What dynalite writes of a response: status, headers, one `end(body)`. */
class LocalResponse {
  statusCode = 200;
  contentType = 'application/x-amz-json-1.0';
  readonly headers: Record<string, string> = {};
  constructor(private readonly done: (response: LocalResponse, body: Buffer) => void) {}
  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = String(value);
  }
  end(body?: string | Buffer): void {
    this.done(this, typeof body === 'string' ? Buffer.from(body, 'utf8') : (body ?? Buffer.alloc(0)));
  }
}

function pathWithQuery(request: WireRequest): string {
  const query = Object.entries(request.query ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map(
      (each) => `${encodeURIComponent(name)}=${encodeURIComponent(each ?? '')}`,
    ),
  );
  return query.length > 0 ? `${request.path}?${query.join('&')}` : request.path;
}

/**
 * `isOpen`: false once dynalite is closed; a call then fails as a refused connection would,
 * rather than reach a closed database (which dynalite reports by throwing outside any promise).
 */
export function inProcessRequestHandler(listener: RequestListener, isOpen: () => boolean): RequestHandler {
  return {
    handle: (request: WireRequest) =>
      new Promise((resolve, reject) => {
        if (!isOpen()) {
          reject(
            Object.assign(new Error('connect ECONNREFUSED: the local dynalite is closed'), { code: 'ECONNREFUSED' }),
          );
          return;
        }
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
        );
        const req = new LocalRequest(request.method, pathWithQuery(request), headers);
        const res = new LocalResponse((response, body) =>
          resolve({ response: { statusCode: response.statusCode, headers: response.headers, body } }),
        );
        try {
          listener(req as never, res as never);
          const body = request.body as string | Uint8Array | undefined;
          if (typeof body === 'string') req.emit('data', Buffer.from(body, 'utf8'));
          // A view on the same bytes: Buffer.from(body) would go through the SDK body's valueOf.
          else if (body instanceof Uint8Array)
            req.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
          req.emit('end');
        } catch (error) {
          reject(error);
        }
      }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as unknown as RequestHandler;
}

/**
 * dynalite checks that a request carries a well-formed SigV4 Authorization header and an
 * X-Amz-Date, never the signature itself (its credentials are the fixed local ones), so the local
 * client writes those headers without hashing the body and deriving a key on every call.
 */
export const localSigV4 = (credentials: { accessKeyId: string; secretAccessKey: string }): AuthScheme =>
  ({
    schemeId: 'aws.auth#sigv4',
    identityProvider: () => async () => credentials,
    signer: { sign: async (request: WireRequest) => signLocally(request) },
  }) as unknown as AuthScheme;

function signLocally(request: WireRequest): WireRequest {
  const date = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  request.headers['x-amz-date'] = date;
  request.headers.authorization = `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=local`;
  return request;
}
