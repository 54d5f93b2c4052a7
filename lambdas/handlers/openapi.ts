/**
 * The OpenAPI 3.1 document of the whole HTTP API, generated from the zod schemas the handlers
 * validate with and from the route list CDK and the local gateway are built from, so the three
 * cannot drift apart (a test checks every route has exactly one operation here).
 */
import * as z from 'zod';
import { alertmanagerWebhookSchema } from '../schemas/alertmanager.js';
import { changeEventSchema, eventsV2Schema } from '../schemas/events-v2.js';
import {
  acknowledgeBodySchema,
  drillBodySchema,
  escalateBodySchema,
  listIncidentsQuerySchema,
  MAX_REPORT_MONTHS,
  noteBodySchema,
  postmortemDoneBodySchema,
  postmortemQuerySchema,
  reassignBodySchema,
  reportQuerySchema,
  resolveBodySchema,
  severityBodySchema,
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
    summary: 'Who fills each role now',
    ok: { status: 200, description: '{"roles":[{"role","responder":{"id","name","email"}}]}' },
  },
  'POST /v1/drills': {
    summary: 'Start a fire drill: a [DRILL] incident that runs its ladder and is left out of reports',
    body: drillBodySchema,
    ok: { status: 201, description: 'The drill incident' },
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
        security: route.auth === 'iam' ? [{ sigv4: [] }] : [],
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
        'Incident response and on-call paging. Management routes are signed with AWS SigV4 on AWS; alert routes authenticate in the payload.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Error: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } },
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 (IAM)' },
      },
    },
  };
}
