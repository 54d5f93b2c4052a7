/**
 * The responders' API (lambdas/handlers/routes.ts lists its routes): a router. Module init loads
 * only what every request needs; each route's code (and the core and libraries behind it, luxon
 * with the rotations among them) is in a module loaded once, by the first request for one of its
 * routes, so no cold start pays for the code of routes it does not serve.
 */

import middy from '@middy/core';
import { exportOnFirstUse, loadOnce } from '../core/load-once.js';
import type { Route } from './api-route.js';
import type { HandlerDeps } from './deps.js';
import { type HttpEvent, type HttpResult, jsonErrors, NotFoundError } from './http.js';

/** List, show, acknowledge, resolve: what on-call engineers do most. */
const incidentRoutes = loadOnce(() => import('./incident-routes.js'));
/** A responder's signed acknowledge link: a confirm page, and its POST. */
const ackLinkRoutes = loadOnce(() => import('./ack-link.js'));
/** The rest: notes, severity, reassign, escalate, take, post-mortems, on-call, overrides, drills, reports. */
const responderRoutes = loadOnce(() => import('./responder-api.js'));

const ROUTES: Record<string, Route> = {
  'GET /v1/incidents': exportOnFirstUse(incidentRoutes, 'listIncidents'),
  'GET /v1/incidents/{id}': exportOnFirstUse(incidentRoutes, 'getIncident'),
  'POST /v1/incidents/{id}/acknowledge': exportOnFirstUse(incidentRoutes, 'acknowledge'),
  'POST /v1/incidents/{id}/resolve': exportOnFirstUse(incidentRoutes, 'resolve'),
  'GET /v1/ack/{token}': exportOnFirstUse(ackLinkRoutes, 'confirmByLink'),
  'POST /v1/ack/{token}': exportOnFirstUse(ackLinkRoutes, 'acknowledgeByLink'),
  'POST /v1/incidents/{id}/notes': exportOnFirstUse(responderRoutes, 'postNote'),
  'POST /v1/incidents/{id}/severity': exportOnFirstUse(responderRoutes, 'setSeverity'),
  'POST /v1/incidents/{id}/reassign': exportOnFirstUse(responderRoutes, 'reassign'),
  'POST /v1/incidents/{id}/escalate': exportOnFirstUse(responderRoutes, 'escalate'),
  'POST /v1/incidents/{id}/take': exportOnFirstUse(responderRoutes, 'take'),
  'GET /v1/incidents/{id}/postmortem': exportOnFirstUse(responderRoutes, 'postmortemDraft'),
  'POST /v1/incidents/{id}/postmortem': exportOnFirstUse(responderRoutes, 'postmortemDone'),
  'GET /v1/oncall': exportOnFirstUse(responderRoutes, 'onCall'),
  'GET /v1/overrides': exportOnFirstUse(responderRoutes, 'listOverrides'),
  'POST /v1/overrides': exportOnFirstUse(responderRoutes, 'postOverride'),
  'DELETE /v1/overrides/{id}': exportOnFirstUse(responderRoutes, 'deleteOverride'),
  'POST /v1/drills': exportOnFirstUse(responderRoutes, 'drill'),
  'GET /v1/reports': exportOnFirstUse(responderRoutes, 'report'),
  'GET /v1/openapi.json': exportOnFirstUse(responderRoutes, 'openApi'),
};

export const incidentsApi =
  (deps: HandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const route = ROUTES[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
    return route(deps, event);
  };

export const makeIncidentsApiHandler = (deps: HandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(incidentsApi(deps));
