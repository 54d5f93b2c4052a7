/**
 * How the CLI talks to Klaxon: plain HTTP to the local runtime, and SigV4-signed requests (the
 * user's AWS credentials, service execute-api) to a deployed API, whose management routes use IAM
 * authorization. Alert routes are never signed: senders authenticate in the payload.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SignatureV4 wants a hash class (HMAC when given a secret); node:crypto has both. */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface ApiResponse {
  status: number;
  contentType: string;
  body: unknown;
}

export class ApiUnreachableError extends Error {
  override name = 'ApiUnreachableError';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** An API on this machine: the local runtime, which needs no signature and takes the local key. */
export const isLoopback = (baseUrl: string | URL): boolean => LOOPBACK.has(new URL(baseUrl).hostname);

/** `abc123.execute-api.eu-west-1.amazonaws.com` → eu-west-1. */
export function regionFromHost(host: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1];
}

/**
 * The URL of an API path under the base URL. `new URL('/v1/incidents', base)` would replace the
 * base's path, and a deployed API is often reached through one: a stage
 * (`https://abc.execute-api.us-east-1.amazonaws.com/prod`) or a custom domain's base-path mapping.
 * Dropping it sends the request to the host root, whose 404 reads as "no such incident".
 */
export function apiUrl(baseUrl: string | URL, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = '';
  url.hash = '';
  return url;
}

export interface ClientOptions {
  baseUrl: string;
  /** Sign with SigV4; by default every API that is not on this machine is signed. */
  sign?: boolean;
  region?: string;
  env?: NodeJS.ProcessEnv;
}

export function apiClient(options: ClientOptions) {
  const base = new URL(options.baseUrl);
  const env = options.env ?? process.env;
  const sign = options.sign ?? !isLoopback(base);
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionFromHost(base.hostname);
  let signer: SignatureV4 | undefined;

  function signerFor(): SignatureV4 {
    if (!region) {
      throw new ApiUnreachableError(
        `Cannot sign requests to ${base.host}: give --region or set AWS_REGION (the API's AWS region)`,
      );
    }
    signer ??= new SignatureV4({
      service: 'execute-api',
      region,
      credentials: fromNodeProviderChain(),
      sha256: NodeSha256,
    });
    return signer;
  }

  return {
    baseUrl: base.toString().replace(/\/$/, ''),
    async request(
      method: 'GET' | 'POST' | 'DELETE',
      path: string,
      options: { query?: Record<string, string | undefined>; body?: unknown; signed?: boolean } = {},
    ): Promise<ApiResponse> {
      const url = apiUrl(base, path);
      for (const [name, value] of Object.entries(options.query ?? {})) {
        if (value !== undefined) url.searchParams.set(name, value);
      }
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      let headers: Record<string, string> = { host: url.host, accept: 'application/json, text/markdown' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (sign && options.signed !== false) {
        const signed = await signerFor().sign({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          body,
        });
        headers = signed.headers as Record<string, string>;
      }
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        throw new ApiUnreachableError(
          `Cannot reach Klaxon at ${base.origin}${base.pathname.replace(/\/+$/, '')}${cause ? ` (${cause})` : ''}. Is it running (npm start)? Or give --api URL.`,
        );
      }
      const contentType = response.headers.get('content-type') ?? '';
      const text = await response.text();
      let parsed: unknown = text;
      if (contentType.includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          // keep the text: the error shows what came back
        }
      }
      return { status: response.status, contentType, body: parsed };
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
