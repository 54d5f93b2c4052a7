/**
 * The responders' API (lambdas/handlers/routes.ts lists its routes): a router. Module init loads
 * only what every request needs; each route's code (and the core and libraries behind it, luxon
 * with the rotations among them) is in a module loaded once, by the first request for one of its
 * routes, so no cold start pays for the code of routes it does not serve.
 */

import middy from '@middy/core';
import { loadOnce, onFirstUse } from '../core/load-once.js';
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
  'GET /v1/incidents': onFirstUse(async () => (await incidentRoutes()).listIncidents),
  'GET /v1/incidents/{id}': onFirstUse(async () => (await incidentRoutes()).getIncident),
  'POST /v1/incidents/{id}/acknowledge': onFirstUse(async () => (await incidentRoutes()).acknowledge),
  'POST /v1/incidents/{id}/resolve': onFirstUse(async () => (await incidentRoutes()).resolve),
  'GET /v1/ack/{token}': onFirstUse(async () => (await ackLinkRoutes()).confirmByLink),
  'POST /v1/ack/{token}': onFirstUse(async () => (await ackLinkRoutes()).acknowledgeByLink),
  'POST /v1/incidents/{id}/notes': onFirstUse(async () => (await responderRoutes()).postNote),
  'POST /v1/incidents/{id}/severity': onFirstUse(async () => (await responderRoutes()).setSeverity),
  'POST /v1/incidents/{id}/reassign': onFirstUse(async () => (await responderRoutes()).reassign),
  'POST /v1/incidents/{id}/escalate': onFirstUse(async () => (await responderRoutes()).escalate),
  'POST /v1/incidents/{id}/take': onFirstUse(async () => (await responderRoutes()).take),
  'GET /v1/incidents/{id}/postmortem': onFirstUse(async () => (await responderRoutes()).postmortemDraft),
  'POST /v1/incidents/{id}/postmortem': onFirstUse(async () => (await responderRoutes()).postmortemDone),
  'GET /v1/oncall': onFirstUse(async () => (await responderRoutes()).onCall),
  'GET /v1/overrides': onFirstUse(async () => (await responderRoutes()).listOverrides),
  'POST /v1/overrides': onFirstUse(async () => (await responderRoutes()).postOverride),
  'DELETE /v1/overrides/{id}': onFirstUse(async () => (await responderRoutes()).deleteOverride),
  'POST /v1/drills': onFirstUse(async () => (await responderRoutes()).drill),
  'GET /v1/reports': onFirstUse(async () => (await responderRoutes()).report),
  'GET /v1/openapi.json': onFirstUse(async () => (await responderRoutes()).openApi),
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
