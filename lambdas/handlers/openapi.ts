/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from the zod schemas the handlers
 * validate with and from the route list CDK and the local gateway are built from, so the three
 * cannot drift apart (a test checks every route has exactly one operation here).
 */
import * as z from 'zod';
import { alertmanagerWebhookSchema } from '../schemas/alertmanager.js';
import { changeEventSchema, eventsV2Schema } from '../schemas/events-v2.js';
import { heartbeatBodySchema, pingQuerySchema } from '../schemas/heartbeats.js';
import {
  acknowledgeBodySchema,
  drillBodySchema,
  escalateBodySchema,
  listIncidentsQuerySchema,
  MAX_REPORT_MONTHS,
  noteBodySchema,
  onCallQuerySchema,
  overrideBodySchema,
  overridesQuerySchema,
  postmortemDoneBodySchema,
  postmortemQuerySchema,
  reassignBodySchema,
  reportQuerySchema,
  resolveBodySchema,
  severityBodySchema,
  takeBodySchema,
} from '../schemas/incidents-api.js';
import { maintenanceBodySchema } from '../schemas/maintenance.js';
import { snsMessageSchema } from '../schemas/sns-message.js';
import { HTTP_ROUTES, routeKey } from './routes.js';

interface Operation {
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** An HTML form body (application/x-www-form-urlencoded). */
  form?: z.ZodType;
  /** Success status and what it returns. */
  ok: { status: number; description: string; markdown?: boolean; html?: boolean };
  /** Error statuses this operation answers with, beside 400. */
  errors?: number[];
}

/** A change to one incident through the API: it answers with the incident as changed. */
const INCIDENT_ACTION: Pick<Operation, 'ok' | 'errors'> = {
  ok: { status: 200, description: 'The incident' },
  errors: [404, 409],
};
/** A console form answers by sending the browser back to the incident's page. */
const BACK_TO_INCIDENT: Operation['ok'] = { status: 303, description: 'Redirect to the incident page' };
/** An unknown integration key or topic, a body over the size limit, a Content-Type other than JSON. */
const ALERT_ERRORS = [403, 413, 415];

/** A ping answers with the monitor's new deadline; 401 without a key, 403 with an unknown one, 404 for no such monitor. */
const HEARTBEAT_PING: Pick<Operation, 'ok' | 'errors'> = {
  ok: { status: 200, description: '{"status":"ok","monitor","at","deadline","resolved"?}' },
  errors: [401, 403, 404],
};

const EVENTS_V2: Omit<Operation, 'summary'> = {
  body: eventsV2Schema,
  ok: { status: 202, description: '{"status":"success","message":"Event processed","dedup_key":…}' },
  errors: ALERT_ERRORS,
};

export const OPERATIONS: Record<string, Operation> = {
  'POST /v1/alerts/events': {
    summary: 'Receive a PagerDuty Events API v2 event (trigger, acknowledge, resolve)',
    ...EVENTS_V2,
  },
  'POST /v2/enqueue': {
    summary: 'The same as POST /v1/alerts/events, at the path Events API v2 senders use',
    ...EVENTS_V2,
  },
  'POST /v2/change/enqueue': {
    summary:
      "Receive a PagerDuty change event (a deploy, a config push): stored for 90 days and shown on the routing key's service's incidents as recent changes; never pages",
    body: changeEventSchema,
    ok: { status: 202, description: '{"status":"success","message":"Change event processed"}' },
    errors: ALERT_ERRORS,
  },
  'POST /v1/alerts/cloudwatch': {
    summary: 'Receive a CloudWatch alarm through an SNS HTTPS subscription (signed; allowed topics only)',
    body: snsMessageSchema,
    ok: { status: 200, description: 'Notification handled, or SubscriptionConfirmation confirmed' },
    errors: ALERT_ERRORS,
  },
  'POST /v1/alerts/alertmanager': {
    summary: 'Receive a Prometheus Alertmanager webhook (version 4), authenticated by a bearer integration key',
    body: alertmanagerWebhookSchema,
    ok: { status: 200, description: '{"status":"success","alerts":[{"fingerprint","outcome","incidentId"}]}' },
    errors: [401, ...ALERT_ERRORS],
  },
  'POST /v1/services/{name}/maintenance': {
    summary: 'Open a maintenance window: alerts for the service are recorded but page nobody until it ends',
    body: maintenanceBodySchema,
    ok: { status: 200, description: 'The window' },
  },
  'GET /v1/services/{name}/maintenance': {
    summary: "The service's maintenance window",
    ok: { status: 200, description: 'The window' },
    errors: [404],
  },
  'POST /v1/heartbeats/{monitor}': {
    summary:
      'A heartbeat ping from the monitored job, with an integration key as "Authorization: Bearer <key>" (or ?key=, which lands in access logs); resolves the missed-ping incident if one is open',
    query: pingQuerySchema,
    ...HEARTBEAT_PING,
  },
  'GET /v1/heartbeats/{monitor}': {
    summary: 'The same ping as POST, for `curl` in a crontab',
    query: pingQuerySchema,
    ...HEARTBEAT_PING,
  },
  'GET /v1/heartbeats': {
    summary: "Every heartbeat monitor (the config file's and the API's) with its last ping, deadline and status",
    ok: {
      status: 200,
      description:
        '{"heartbeats":[{"name","interval","grace","severity","service","origin","status","lastPingAt","deadline"}]}',
    },
  },
  'POST /v1/heartbeats': {
    summary: 'Add a heartbeat monitor; it starts watching at its first ping',
    body: heartbeatBodySchema(),
    ok: { status: 201, description: 'The monitor' },
    errors: [409],
  },
  'DELETE /v1/heartbeats/{monitor}': {
    summary: 'Remove a heartbeat monitor added through the API (one in the config file is removed there)',
    ok: { status: 200, description: '{"removed": name}' },
    errors: [404, 409],
  },
  'GET /v1/ack/{token}': {
    summary: 'The acknowledge link from a page: shows a confirm page only (mail scanners prefetch links)',
    ok: { status: 200, description: 'An HTML page with a button that POSTs to the same link', html: true },
    errors: [409, 410],
  },
  'POST /v1/ack/{token}': {
    summary: 'Acknowledge by signed link: the token names the incident and the responder, expires and works once',
    ok: { status: 200, description: 'An HTML page saying the incident is acknowledged', html: true },
    errors: [409, 410],
  },
  'GET /v1/incidents': {
    summary:
      'List incidents by status, newest first, optionally by severity, service and time opened; a cursor continues only the query it came from (400 otherwise)',
    query: listIncidentsQuerySchema,
    ok: { status: 200, description: '{"incidents":[…],"next":cursor or null}' },
  },
  'GET /v1/incidents/{id}': {
    summary: "One incident with its timeline and its service's recent changes",
    ok: {
      status: 200,
      description:
        'The incident with its timeline, its sender context (links, images, client) and `recentChanges`: change events of its service from 6 h before it opened until it resolved, newest first',
    },
    errors: [404],
  },
  'POST /v1/incidents/{id}/acknowledge': {
    summary: 'Acknowledge: stops the steps that run "unless acknowledged"',
    body: acknowledgeBodySchema,
    ...INCIDENT_ACTION,
  },
  'POST /v1/incidents/{id}/resolve': {
    summary: 'Resolve: stops the escalation',
    body: resolveBodySchema,
    ...INCIDENT_ACTION,
  },
  'POST /v1/incidents/{id}/notes': {
    summary: 'Post a status update to the timeline',
    body: noteBodySchema,
    ok: { status: 200, description: 'The incident with its timeline' },
    errors: [404],
  },
  'POST /v1/incidents/{id}/severity': {
    summary: 'Change the severity of an unresolved incident',
    body: severityBodySchema,
    ...INCIDENT_ACTION,
  },
  'POST /v1/incidents/{id}/escalate': {
    summary:
      'Escalate now: the next step of the ladder pages at once, even if acknowledged; later steps keep their spacing',
    body: escalateBodySchema,
    ...INCIDENT_ACTION,
  },
  'POST /v1/incidents/{id}/take': {
    summary:
      'Take: the caller (their IAM principal mapped to a responder) is assigned the incident and acknowledges it, in one step; 403 for a principal that is no responder or a "by" naming someone else',
    body: takeBodySchema,
    ...INCIDENT_ACTION,
    errors: [403, 404, 409],
  },
  'POST /v1/incidents/{id}/reassign': {
    summary: 'Hand an unresolved incident to another responder',
    body: reassignBodySchema,
    ...INCIDENT_ACTION,
  },
  'GET /v1/incidents/{id}/postmortem': {
    summary: "A post-mortem draft in the runbooks' template, with the timeline filled in",
    query: postmortemQuerySchema,
    ok: { status: 200, description: 'Markdown (or {"markdown"} with format=json)', markdown: true },
    errors: [404],
  },
  'POST /v1/incidents/{id}/postmortem': {
    summary: 'Record that the post-mortem of a resolved incident is done',
    body: postmortemDoneBodySchema,
    ...INCIDENT_ACTION,
  },
  'GET /v1/oncall': {
    summary: "Who fills each team's roles now (overrides applied), until when, and who is next",
    query: onCallQuerySchema,
    ok: {
      status: 200,
      description: '{"at","roles":[{"team","role","now","until","next","override","responder":{"id","name","email"}}]}',
    },
  },
  'GET /v1/overrides': {
    summary: 'The overrides made at run time that are not over yet, by start',
    query: overridesQuerySchema,
    ok: {
      status: 200,
      description: '{"overrides":[{"id","team","role","responder","from","to","reason","by","createdAt"}]}',
    },
  },
  'POST /v1/overrides': {
    summary:
      'Cover a shift: the responder fills the role from "from" to "to", from the next page on; they are told at "from", and whoever holds the role next at "to"',
    body: overrideBodySchema,
    ok: { status: 201, description: 'The override' },
  },
  'DELETE /v1/overrides/{id}': {
    summary: 'Remove an override: the rota is back as planned, and its start and end notices are cancelled',
    ok: { status: 200, description: 'The override removed' },
    errors: [404],
  },
  'POST /v1/drills': {
    summary: 'Start a fire drill: a [DRILL] incident that runs its ladder and is left out of reports',
    body: drillBodySchema,
    ok: { status: 201, description: 'The drill incident' },
    errors: [409],
  },
  'GET /v1/reports': {
    summary: `Incidents per severity, MTTA and MTTR (median, p90), escalation rate, top sources; drills left out. At most ${MAX_REPORT_MONTHS} months from "from" to "to" (400 beyond)`,
    query: reportQuerySchema,
    ok: { status: 200, description: 'The report as JSON, or Markdown with format=markdown', markdown: true },
  },
  'GET /v1/openapi.json': {
    summary: 'This document',
    ok: { status: 200, description: 'OpenAPI 3.1' },
  },
  'GET /': {
    summary: 'Web console: unresolved incidents, who is on call (and the outbox on this machine)',
    ok: { status: 200, description: 'HTML page', html: true },
  },
  'GET /oncall': {
    summary: 'Web console: who is on call now and for the next 14 days per team and role, a form to cover each shift',
    ok: { status: 200, description: 'HTML page', html: true },
  },
  'POST /oncall/overrides': {
    summary: 'Web console form: cover a shift (as POST /v1/overrides), then back to the On call page',
    form: overrideBodySchema,
    ok: { status: 303, description: 'Redirect to the On call page' },
  },
  'POST /oncall/overrides/{id}/remove': {
    summary: 'Web console form: remove an override, then back to the On call page',
    ok: { status: 303, description: 'Redirect to the On call page' },
    errors: [404],
  },
  'GET /incidents/{id}': {
    summary: 'Web console: one incident with its timeline and buttons',
    ok: { status: 200, description: 'HTML page', html: true },
    errors: [404],
  },
  'POST /incidents/{id}/acknowledge': {
    summary: 'Web console form: acknowledge, then back to the incident page',
    form: acknowledgeBodySchema,
    ok: BACK_TO_INCIDENT,
    errors: [404, 409],
  },
  'POST /incidents/{id}/resolve': {
    summary: 'Web console form: resolve, then back to the incident page',
    form: resolveBodySchema,
    ok: BACK_TO_INCIDENT,
    errors: [404, 409],
  },
  'POST /incidents/{id}/notes': {
    summary: 'Web console form: post a status update, then back to the incident page',
    form: noteBodySchema,
    ok: BACK_TO_INCIDENT,
    errors: [404],
  },
  'POST /incidents/{id}/escalate': {
    summary: 'Web console form: escalate now (the next step pages at once), then back to the incident page',
    form: escalateBodySchema,
    ok: BACK_TO_INCIDENT,
    errors: [404, 409],
  },
  'POST /incidents/{id}/take': {
    summary:
      'Web console form: the signed-in responder takes the incident (assigned and acknowledged), then back to it',
    form: takeBodySchema,
    ok: BACK_TO_INCIDENT,
    errors: [403, 404, 409],
  },
  'POST /auth/sign-out': {
    summary: 'Web console form: sign out (the session cookie is cleared), then to the sign-in page',
    ok: { status: 303, description: 'Redirect to the sign-in page (on AWS through the managed login’s logout)' },
    errors: [403],
  },
  'GET /auth/sign-in': {
    summary:
      'Start signing in to the console: on AWS a redirect to the Cognito managed login (authorization code flow with PKCE); on this machine a page that picks a responder',
    ok: {
      status: 303,
      description: 'Redirect to the managed login (on this machine: 200, the sign-in page)',
      html: true,
    },
  },
  'GET /auth/callback': {
    summary:
      "The managed login's callback: exchanges the code for tokens and sets the session cookie (HttpOnly, Secure, SameSite=Lax)",
    ok: { status: 303, description: 'Redirect to the console, signed in' },
  },
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });

function queryParameters(schema: z.ZodType) {
  const object = jsonSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}

const ERROR_RESPONSE = {
  description: 'A message a person can act on',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of HTTP_ROUTES) {
    const operation = OPERATIONS[routeKey(route)];
    if (!operation) continue; // the test fails on any route without an operation
    const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
      ...(match[1] === 'id' ? { description: 'the incident: its number (142, or #142 written %23142) or its id' } : {}),
    }));
    const okContent = operation.ok.html
      ? { 'text/html': { schema: { type: 'string' } } }
      : operation.ok.markdown
        ? { 'application/json': { schema: {} }, 'text/markdown': { schema: { type: 'string' } } }
        : { 'application/json': { schema: {} } };
    const responses: Record<string, unknown> = {
      [operation.ok.status]: { description: operation.ok.description, content: okContent },
      400: ERROR_RESPONSE,
    };
    for (const status of operation.errors ?? []) responses[status] = ERROR_RESPONSE;
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: {
        operationId: routeKey(route),
        summary: operation.summary,
        security: route.auth === 'iam' ? [{ sigv4: [] }] : route.auth === 'session' ? [{ session: [] }] : [],
        parameters: [...pathParameters, ...(operation.query ? queryParameters(operation.query) : [])],
        ...(operation.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(operation.body) } } } }
          : {}),
        ...(operation.form
          ? {
              requestBody: {
                required: true,
                content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(operation.form) } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Klaxon',
      version: '1',
      description:
        'Incident response and on-call paging. Management routes are signed with AWS SigV4 on AWS; console routes need a signed-in session; alert routes authenticate in the payload.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Error: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } },
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 (IAM)' },
        session: {
          type: 'apiKey',
          name: 'klaxon-session',
          in: 'cookie',
          description:
            'The console session (GET /auth/sign-in); every console form also posts the formToken its pages carry',
        },
      },
    },
  };
}
