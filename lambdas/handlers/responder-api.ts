/**
 * The rest of the responders' API, beside list/show/acknowledge/resolve: status updates (notes),
 * severity change, reassign, the post-mortem (draft and done), who is on call, the monthly report
 * and the OpenAPI document. Each route: validate → call the core → shape the answer. The router
 * (incidents-api.ts) loads this module on the first request for one of them.
 */
import type { TeamConfig } from '../core/config.js';
import { responderById } from '../core/config-lookups.js';
import { ROLES } from '../core/config-terms.js';
import { startDrill } from '../core/drills.js';
import {
  addNote,
  changeSeverity,
  markPostmortemDone,
  reassignIncident,
  takeIncident,
} from '../core/incident-updates.js';
import { loadOnce } from '../core/load-once.js';
import { addOverride, currentOverrides, removeOverride } from '../core/overrides.js';
import { renderPostmortem } from '../core/postmortem.js';
import { escalateNow } from '../core/replan.js';
import { buildReport, renderReportMarkdown } from '../core/reports.js';
import { whoIsOnCall } from '../core/rotations.js';
import { actor, incidentId, optionalBody, type Route, takingResponder } from './api-route.js';
import type { HandlerDeps } from './deps.js';
import { BadRequestError, type HttpResult, json, NotFoundError, pathParameter, validate } from './http.js';

const incidentsApiSchemas = loadOnce(() => import('../schemas/incidents-api.js'));
const openApiModule = loadOnce(() => import('./openapi.js'));

function markdown(body: string): HttpResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/markdown; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

export const postNote: Route = async (deps, event) => {
  const { noteBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(noteBodySchema, optionalBody(event), 'body');
  return json(200, await addNote(deps, id, actor(deps, event, body.by), body.message, body.noteId));
};

export const setSeverity: Route = async (deps, event) => {
  const { severityBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(severityBodySchema, optionalBody(event), 'body');
  const result = await changeSeverity(deps, id, body.severity, actor(deps, event, body.by), body.reason);
  return json(200, result.incident);
};

export const escalate: Route = async (deps, event) => {
  const { escalateBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(escalateBodySchema, optionalBody(event), 'body');
  const result = await escalateNow(deps, id, actor(deps, event, body.by), body.note);
  return json(200, result.incident);
};

export const reassign: Route = async (deps, event) => {
  const { reassignBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(reassignBodySchema, optionalBody(event), 'body');
  const result = await reassignIncident(deps, id, body.to, actor(deps, event, body.by));
  return json(200, result.incident);
};

/** The caller takes the incident: assigned to them and acknowledged, in one step. */
export const take: Route = async (deps, event) => {
  const { takeBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(takeBodySchema, optionalBody(event), 'body');
  const result = await takeIncident(deps, id, takingResponder(deps, event, body.by));
  return json(200, result.incident);
};

export const postmortemDone: Route = async (deps, event) => {
  const { postmortemDoneBodySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const body = validate(postmortemDoneBodySchema, optionalBody(event), 'body');
  const result = await markPostmortemDone(deps, id, actor(deps, event, body.by), body.url);
  return json(200, result.incident);
};

export const postmortemDraft: Route = async (deps, event) => {
  const { postmortemQuerySchema } = await incidentsApiSchemas();
  const id = await incidentId(deps, event);
  const query = validate(postmortemQuerySchema, event.queryStringParameters ?? {}, 'query');
  const incident = await deps.store.getIncidentWithTimeline(id);
  if (!incident) throw new NotFoundError(`No incident with id ${id}`);
  const draft = renderPostmortem(deps.config, incident);
  return query.format === 'json' ? json(200, { incidentId: id, markdown: draft }) : markdown(draft);
};

export const report: Route = async (deps, event) => {
  const { reportQuerySchema } = await incidentsApiSchemas();
  const query = validate(reportQuerySchema, event.queryStringParameters ?? {}, 'query');
  if (query.team !== undefined) teamsNamed(deps, query.team);
  const incidents = [];
  for await (const incident of deps.store.incidentsOpenedBetween(query.from, query.to)) {
    if (query.team === undefined || incident.team === query.team) incidents.push(incident);
  }
  const built = buildReport(incidents, query);
  return query.format === 'markdown' ? markdown(renderReportMarkdown(built)) : json(200, built);
};

/** The teams a `?team=` names (every team without it); an unknown team is a 400 naming the known ones. */
function teamsNamed(deps: HandlerDeps, team: string | undefined): TeamConfig[] {
  if (team === undefined) return deps.config.teams;
  const found = deps.config.teams.find((candidate) => candidate.id === team);
  if (!found) {
    throw new BadRequestError(`No team "${team}" (teams: ${deps.config.teams.map((t) => t.id).join(', ')})`);
  }
  return [found];
}

/**
 * Who fills each team's roles now (rotations and overrides, run-time ones included, applied),
 * until when, and who is next; `?team=` for one team.
 */
export const onCall: Route = async (deps, event) => {
  const { onCallQuerySchema } = await incidentsApiSchemas();
  const query = validate(onCallQuerySchema, event.queryStringParameters ?? {}, 'query');
  const teams = teamsNamed(deps, query.team);
  const at = deps.clock.now();
  const covers = await currentOverrides(deps, at);
  return json(200, {
    at: at.toISOString(),
    roles: teams.flatMap((team) =>
      whoIsOnCall(team, ROLES, at, covers).map((entry) => {
        const responder = responderById(deps.config, entry.now);
        return {
          ...entry,
          responder: responder ? { id: responder.id, name: responder.name, email: responder.email } : null,
        };
      }),
    ),
  });
};

/** The run-time overrides not yet over, by start; `?team=` for one team. */
export const listOverrides: Route = async (deps, event) => {
  const { overridesQuerySchema } = await incidentsApiSchemas();
  const query = validate(overridesQuerySchema, event.queryStringParameters ?? {}, 'query');
  teamsNamed(deps, query.team);
  return json(200, { overrides: await currentOverrides(deps, deps.clock.now(), query.team) });
};

export const postOverride: Route = async (deps, event) => {
  const { overrideBodySchema } = await incidentsApiSchemas();
  const body = validate(overrideBodySchema, optionalBody(event), 'body');
  const override = await addOverride(deps, { ...body, by: actor(deps, event, body.by) });
  return json(201, override);
};

export const deleteOverride: Route = async (deps, event) => {
  // Override ids are ULIDs, which the path's {id} check (an incident id's) lets through.
  const id = pathParameter(event, 'id');
  return json(200, await removeOverride(deps, id));
};

export const drill: Route = async (deps, event) => {
  const { drillBodySchema } = await incidentsApiSchemas();
  const body = validate(drillBodySchema, optionalBody(event), 'body');
  const incident = await startDrill(deps, { ...body, by: actor(deps, event, body.by) });
  return json(201, incident);
};

export const openApi: Route = async () => {
  const { openApiDocument } = await openApiModule();
  return json(200, openApiDocument());
};
