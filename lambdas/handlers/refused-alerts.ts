/**
 * A 4xx to an alert sender is an alert that became no incident, and most senders never retry
 * one: a rotated key, a wrong URL or a changed payload is a silent outage. So every refusal on an
 * alert route is logged as a warning with its reason and counted by sender, and an operators'
 * alarm watches the count (lib/health.ts). The intake applies this to all of its HTTP answers
 * (intake.ts), so an alert route added to the route table gets it with nothing else to do.
 */
import type { KlaxonConfig } from '../core/config.js';
import { integrationFor } from '../core/integration-keys.js';
import { EVENTS_V2_MAX_BYTES } from '../schemas/constants.js';
import { bearerToken, type HttpEvent, type HttpResult, readJsonBody } from './http.js';
import type { Logger } from './logger.js';
import { groupOfRouteKey } from './routes.js';

export interface AlertRefusal {
  /** The API Gateway route key, e.g. `POST /v2/enqueue`. */
  route: string;
  status: number;
  /** The integration's name, an allowed SNS topic, or UNKNOWN_SENDER. */
  integration: string;
  /** Whether `integration` names a sender of the config rather than UNKNOWN_SENDER. */
  identified: boolean;
  /** What the sender was told. */
  reason: string;
}
/** Records a refusal as a metric; the AWS one is refusalCounter (adapters/incident-metrics.ts). */
export type RefusalCounter = (refusal: AlertRefusal) => void;

/** The sender of a refused request whose key, token or topic names no integration. */
export const UNKNOWN_SENDER = 'unknown';
/** A reason can quote what the sender sent (a content type, a field path): enough to act on, and no more. */
const MAX_REASON = 500;

/** A heartbeat ping may carry its key as `?key=`, where no header can be set (heartbeats.ts). */
const pingQueryKey = (event: HttpEvent): string | undefined =>
  event.routeKey.endsWith(' /v1/heartbeats/{monitor}') ? event.queryStringParameters?.key : undefined;

/**
 * Which integration sent the request, as far as it can tell without trusting it: the one whose
 * key is the bearer token or the `routing_key`, or the SNS topic when it is an allowed one. Never
 * a value the sender chose freely, so the metric's dimension values stay the config's few.
 */
export function senderOf(config: KlaxonConfig, event: HttpEvent): string {
  const token = bearerToken(event) ?? pingQueryKey(event);
  if (token !== undefined) return integrationFor(config, token) ?? UNKNOWN_SENDER;
  let body: Record<string, unknown>;
  try {
    // The largest body a keyed alert route reads (Alertmanager's bearer token is read above).
    body = readJsonBody(event, { alsoTextPlain: true, maxBytes: EVENTS_V2_MAX_BYTES }) as Record<string, unknown>;
  } catch {
    return UNKNOWN_SENDER;
  }
  if (typeof body.routing_key === 'string') return integrationFor(config, body.routing_key) ?? UNKNOWN_SENDER;
  if (typeof body.TopicArn === 'string' && config.snsTopicArns.includes(body.TopicArn)) return body.TopicArn;
  return UNKNOWN_SENDER;
}

function reasonOf(result: HttpResult): string {
  let reason: string;
  try {
    const message = (JSON.parse(result.body ?? '') as { message?: unknown }).message;
    reason = typeof message === 'string' ? message : `HTTP ${result.statusCode}`;
  } catch {
    reason = `HTTP ${result.statusCode}`;
  }
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason;
}

/** Logs and counts the answer when it is a 4xx on an alert route; any other answer is left alone. */
export function noteRefusal(
  deps: { config: KlaxonConfig; logger: Logger; countRefusal?: RefusalCounter },
  event: HttpEvent,
  result: HttpResult,
): void {
  const status = result.statusCode ?? 200;
  if (status < 400 || status >= 500 || groupOfRouteKey(event.routeKey) !== 'alert-intake') return;
  const integration = senderOf(deps.config, event);
  const refusal: AlertRefusal = {
    route: event.routeKey,
    status,
    integration,
    identified: integration !== UNKNOWN_SENDER,
    reason: reasonOf(result),
  };
  // Never the key or the body: the integration's name says who, the reason says what.
  const { identified: _, ...logged } = refusal;
  deps.logger.warn('Alert refused: the sender got a 4xx and its alert opened no incident', logged);
  deps.countRefusal?.(refusal);
}
