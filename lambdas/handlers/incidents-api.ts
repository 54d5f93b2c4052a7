/**
 * The responders' API: list, show (with timeline), acknowledge, resolve.
 * validate → identify who acts → call the core → shape the answer.
 */

import middy from '@middy/core';
import { recentChangesFor } from '../core/change-events.js';
import { loadOnce } from '../core/load-once.js';
import { acknowledgeIncident, resolveIncident } from '../core/responder-actions.js';
import { ACK_LINK_ROUTES } from './ack-link.js';
import { actor, incidentId, optionalBody, type Route } from './api-route.js';
import type { HandlerDeps } from './deps.js';
import { type HttpEvent, type HttpResult, json, jsonErrors, NotFoundError, validate } from './http.js';

const incidentsApiSchemas = loadOnce(() => import('../schemas/incidents-api.js'));

const listIncidents: Route = async (deps, event) => {
  const { listIncidentsQuerySchema } = await incidentsApiSchemas();
  const query = validate(listIncidentsQuerySchema, event.queryStringParameters ?? {}, 'query');
  const page = await deps.store.listByStatus(query.status, {
    limit: query.limit,
    cursor: query.cursor,
    severity: query.severity,
    service: query.service,
    team: query.team,
    from: query.from,
    to: query.to,
  });
  return json(200, { incidents: page.incidents, next: page.next ?? null });
};

const getIncident: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const incident = await deps.store.getIncidentWithTimeline(id);
  if (!incident) throw new NotFoundError(`No incident with id ${id}`);
  const recentChanges = await recentChangesFor(deps.changes, incident, deps.clock.now());
  return json(200, { ...incident, recentChanges });
};

const acknowledge: Route = async (deps, event) => {
  const { acknowledgeBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(acknowledgeBodySchema, optionalBody(event), 'body');
  const result = await acknowledgeIncident(deps, id, actor(deps, event, body.by));
  return json(200, result.incident);
};

const resolve: Route = async (deps, event) => {
  const { resolveBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(resolveBodySchema, optionalBody(event), 'body');
  const result = await resolveIncident(deps, id, actor(deps, event, body.by), {
    note: body.note,
    refuseIfResolved: true,
  });
  return json(200, result.incident);
};

/** What on-call engineers do most: look at incidents, acknowledge, resolve, follow ack links. */
const INCIDENT_ROUTES: Record<string, Route> = {
  'GET /v1/incidents': listIncidents,
  'GET /v1/incidents/{id}': getIncident,
  'POST /v1/incidents/{id}/acknowledge': acknowledge,
  'POST /v1/incidents/{id}/resolve': resolve,
  ...ACK_LINK_ROUTES,
};

/**
 * The rest of the API (on-call, overrides, reports, drills, post-mortems, escalate, take) and the
 * code it needs, rotations and reports among it, loaded by the first request for one of them.
 */
const responderRoutes = loadOnce(async () => (await import('./responder-api.js')).RESPONDER_ROUTES);

export const incidentsApi =
  (deps: HandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const route = INCIDENT_ROUTES[event.routeKey] ?? (await responderRoutes())[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    return route(deps, event);
  };

export const makeIncidentsApiHandler = (deps: HandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(incidentsApi(deps));
