/**
 * POST /v2/change/enqueue: PagerDuty's change events (deploys, config pushes), stored for the
 * service's incidents to show as recent changes. They never page anyone.
 */
import middy from '@middy/core';
import { changeFromEventsV2, changeServiceFor } from '../core/change-events.js';
import { loadOnce } from '../core/load-once.js';
import type { HandlerDeps } from './deps.js';
import { type HttpEvent, type HttpResult, json, jsonErrors } from './http.js';
import { integrationOrRefuse, parseEventsV2 } from './receive-events-v2.js';

const eventsV2Schemas = loadOnce(() => import('../schemas/events-v2.js'));

export const receiveChangeEvent =
  (deps: HandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const { changeEventSchema } = await eventsV2Schemas();
    const request = parseEventsV2(event, changeEventSchema);
    const integration = integrationOrRefuse(deps.config, request.routing_key);
    const service = changeServiceFor(deps.config, integration);
    const receivedAt = deps.clock.now().toISOString();
    const change = changeFromEventsV2(request, integration, service, receivedAt, deps.ids.next());
    // Written before the answer: a sender that gets 202 never sends it again.
    await deps.changes.recordChange(change);
    deps.logger.info('Change event recorded', { service, integration, at: change.at });
    return json(202, { status: 'success', message: 'Change event processed' });
  };

export const makeReceiveChangeEventHandler = (deps: HandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(receiveChangeEvent(deps));
