/**
 * The rest of the responders' API, beside list/show/acknowledge/resolve: status updates (notes),
 * severity change, reassign, the post-mortem (draft and done), who is on call, the monthly report
 * and the OpenAPI document. Each route: validate → call the core → shape the answer.
 */
import { ROLES, responderById } from '../core/config.js';
import { startDrill } from '../core/drills.js';
import { addNote, changeSeverity, markPostmortemDone, reassignIncident } from '../core/incident-updates.js';
import { renderPostmortem } from '../core/postmortem.js';
import { escalateNow } from '../core/replan.js';
import { buildReport, renderReportMarkdown } from '../core/reports.js';
import { whoIsOnCall } from '../core/rotations.js';
import {
  drillBodySchema,
  escalateBodySchema,
  noteBodySchema,
  postmortemDoneBodySchema,
  postmortemQuerySchema,
  reassignBodySchema,
  reportQuerySchema,
  severityBodySchema,
} from '../schemas/incidents-api.js';
import { actor, incidentId, optionalBody, type Route } from './api-route.js';
import { type HttpResult, json, NotFoundError, validate } from './http.js';
import { openApiDocument } from './openapi.js';

function markdown(body: string): HttpResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/markdown; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

const postNote: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const body = validate(noteBodySchema, optionalBody(event), 'body');
  return json(200, await addNote(deps, id, actor(event, body.by), body.message, body.noteId));
};

const setSeverity: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const body = validate(severityBodySchema, optionalBody(event), 'body');
  const result = await changeSeverity(deps, id, body.severity, actor(event, body.by), body.reason);
  return json(200, result.incident);
};

const escalate: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const body = validate(escalateBodySchema, optionalBody(event), 'body');
  const result = await escalateNow(deps, id, actor(event, body.by), body.note);
  return json(200, result.incident);
};

const reassign: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const body = validate(reassignBodySchema, optionalBody(event), 'body');
  const result = await reassignIncident(deps, id, body.to, actor(event, body.by));
  return json(200, result.incident);
};

const postmortemDone: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const body = validate(postmortemDoneBodySchema, optionalBody(event), 'body');
  const result = await markPostmortemDone(deps, id, actor(event, body.by), body.url);
  return json(200, result.incident);
};

const postmortemDraft: Route = async (deps, event) => {
  const id = await incidentId(deps, event);
  const query = validate(postmortemQuerySchema, event.queryStringParameters ?? {}, 'query');
  const incident = await deps.store.getIncidentWithTimeline(id);
  if (!incident) throw new NotFoundError(`No incident with id ${id}`);
  const draft = renderPostmortem(deps.config, incident);
  return query.format === 'json' ? json(200, { incidentId: id, markdown: draft }) : markdown(draft);
};

const report: Route = async (deps, event) => {
  const query = validate(reportQuerySchema, event.queryStringParameters ?? {}, 'query');
  const incidents = [];
  for await (const incident of deps.store.incidentsOpenedBetween(query.from, query.to)) incidents.push(incident);
  const built = buildReport(incidents, query);
  return query.format === 'markdown' ? markdown(renderReportMarkdown(built)) : json(200, built);
};

/** Who fills each role now (rotations and overrides applied), until when, and who is next. */
const onCall: Route = async (deps) => {
  const at = deps.clock.now();
  return json(200, {
    at: at.toISOString(),
    roles: whoIsOnCall(deps.config, ROLES, at).map((entry) => {
      const responder = responderById(deps.config, entry.now);
      return {
        ...entry,
        responder: responder ? { id: responder.id, name: responder.name, email: responder.email } : null,
      };
    }),
  });
};

const drill: Route = async (deps, event) => {
  const body = validate(drillBodySchema, optionalBody(event), 'body');
  const incident = await startDrill(deps, { ...body, by: actor(event, body.by) });
  return json(201, incident);
};

const openApi: Route = async () => json(200, openApiDocument());

export const RESPONDER_ROUTES: Record<string, Route> = {
  'POST /v1/incidents/{id}/notes': postNote,
  'POST /v1/incidents/{id}/severity': setSeverity,
  'POST /v1/incidents/{id}/reassign': reassign,
  'POST /v1/incidents/{id}/escalate': escalate,
  'GET /v1/incidents/{id}/postmortem': postmortemDraft,
  'POST /v1/incidents/{id}/postmortem': postmortemDone,
  'GET /v1/oncall': onCall,
  'POST /v1/drills': drill,
  'GET /v1/reports': report,
  'GET /v1/openapi.json': openApi,
};
