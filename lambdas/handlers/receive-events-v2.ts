/**
 * POST /v1/alerts/events and POST /v2/enqueue: the PagerDuty Events API v2, with its response
 * shapes, so existing senders point at Klaxon unchanged.
 */
import middy from '@middy/core';
import type * as z from 'zod';
import { alertFromEventsV2 } from '../core/alert-sources.js';
import type { KlaxonConfig } from '../core/config.js';
import { receiveAlert } from '../core/intake.js';
import { integrationFor } from '../core/integration-keys.js';
import { loadOnce } from '../core/load-once.js';
import { EVENTS_V2_MAX_BYTES } from '../schemas/constants.js';
import type { HandlerDeps } from './deps.js';
import { ForbiddenError, HttpError, type HttpEvent, type HttpResult, json, jsonErrors, readJsonBody } from './http.js';
import { validationIssues } from './validation.js';

const eventsV2Schemas = loadOnce(() => import('../schemas/events-v2.js'));

const INVALID = { status: 'invalid event' };

/** The body, validated by `schema`; refusals in the Events API's own shape (status, message, errors). */
export function parseEventsV2<T extends z.ZodType>(event: HttpEvent, schema: T): z.infer<T> {
  let body: unknown;
  try {
    body = readJsonBody(event, { maxBytes: EVENTS_V2_MAX_BYTES });
  } catch (error) {
    if (error instanceof HttpError) {
      throw new HttpError(error.statusCode, error.message, { ...INVALID, errors: [error.message] });
    }
    throw error;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const errors = validationIssues(parsed.error);
    throw new HttpError(400, `Event object is invalid: ${errors.join('; ')}`, { ...INVALID, errors });
  }
  return parsed.data;
}

/** The integration a routing key belongs to, or a 403 in the Events API's shape. */
export function integrationOrRefuse(config: KlaxonConfig, routingKey: string): string {
  const integration = integrationFor(config, routingKey);
  if (!integration) {
    throw new ForbiddenError(
      'Unknown routing_key: no Klaxon integration has this key. Check the integration key you were given.',
      {
        ...INVALID,
        errors: ['routing_key is not a known integration key'],
      },
    );
  }
  return integration;
}

export const receiveEventsV2 =
  (deps: HandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const { eventsV2Schema } = await eventsV2Schemas();
    const request = parseEventsV2(event, eventsV2Schema);
    const integration = integrationOrRefuse(deps.config, request.routing_key);
    const receivedAt = deps.clock.now().toISOString();
    const alert = alertFromEventsV2(request, integration, deps.ids.next(), receivedAt);
    const result = await receiveAlert(deps, alert);
    const incidentId = 'incident' in result ? result.incident.id : undefined;
    deps.logger.info(`Events v2 ${request.event_action} → ${result.outcome}`, { incidentId, integration });
    return json(202, { status: 'success', message: 'Event processed', dedup_key: alert.dedupKey });
  };

export const makeReceiveEventsV2Handler = (deps: HandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(receiveEventsV2(deps));
