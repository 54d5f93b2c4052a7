/**
 * What on-call engineers do most: look at incidents (list, show with timeline), acknowledge,
 * resolve. Each route: validate → identify who acts → call the core → shape the answer.
 */
import { recentChangesFor } from '../core/change-events.js';
import { loadOnce } from '../core/load-once.js';
import { acknowledgeIncident, resolveIncident } from '../core/responder-actions.js';
import { actor, incidentId, optionalBody, type Route } from './api-route.js';
import { json, NotFoundError, validate } from './http.js';

const incidentsApiSchemas = loadOnce(() => import('../schemas/incidents-api.js'));

export const listIncidents: Route = async (deps, event) => {
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

export const getIncident: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const incident = await deps.store.getIncidentWithTimeline(id);
  if (!incident) throw new NotFoundError(`No incident with id ${id}`);
  const recentChanges = await recentChangesFor(deps.changes, incident, deps.clock.now());
  return json(200, { ...incident, recentChanges });
};

export const acknowledge: Route = async (deps, event) => {
  const { acknowledgeBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(acknowledgeBodySchema, optionalBody(event), 'body');
  const result = await acknowledgeIncident(deps, id, actor(deps, event, body.by));
  return json(200, result.incident);
};

export const resolve: Route = async (deps, event) => {
  const { resolveBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(resolveBodySchema, optionalBody(event), 'body');
  const result = await resolveIncident(deps, id, actor(deps, event, body.by), {
    note: body.note,
    refuseIfResolved: true,
  });
  return json(200, result.incident);
};
