/**
 * POST /v1/alerts/alertmanager: Prometheus Alertmanager's webhook (version 4), authenticated by
 * an integration key as a bearer token. One incident per alert fingerprint; `resolved` resolves.
 */
import middy from '@middy/core';
import { alertFromAlertmanager } from '../core/alert-sources.js';
import { receiveAlert } from '../core/intake.js';
import { alertmanagerWebhookSchema } from '../schemas/alertmanager.js';
import type { IntakeHandlerDeps } from './deps.js';
import {
  BadRequestError,
  ForbiddenError,
  type HttpEvent,
  type HttpResult,
  headerValue,
  json,
  jsonErrors,
  readJsonBody,
  UnauthorizedError,
} from './http.js';
import { integrationFor } from './receive-events-v2.js';

function integrationOf(deps: IntakeHandlerDeps, event: HttpEvent): string {
  const header = headerValue(event, 'authorization');
  const token = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (!token) {
    throw new UnauthorizedError(
      'Send the integration key as "Authorization: Bearer <key>" (http_config.authorization in Alertmanager)',
    );
  }
  const integration = integrationFor(deps.config, token);
  if (!integration) throw new ForbiddenError('Unknown integration key: no Klaxon integration has this bearer token');
  return integration;
}

export const receiveAlertmanager =
  (deps: IntakeHandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const integration = integrationOf(deps, event);
    const parsed = alertmanagerWebhookSchema.safeParse(readJsonBody(event));
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'} ${issue.message}`);
      throw new BadRequestError(`Not an Alertmanager webhook (version 4): ${errors.join('; ')}`, { errors });
    }
    const webhook = parsed.data;
    const receivedAt = deps.clock.now().toISOString();
    const results = [];
    // One at a time: alerts of one group often share a fingerprint only by accident, never by design,
    // and sequential writes keep the 5xx-then-retry story simple (a retry redoes only what is missing).
    for (const entry of webhook.alerts) {
      const alert = alertFromAlertmanager(webhook, entry, integration, receivedAt);
      const result = await receiveAlert(deps, alert);
      results.push({
        fingerprint: entry.fingerprint,
        outcome: result.outcome,
        incidentId: 'incident' in result ? result.incident.id : null,
      });
    }
    deps.logger.info(`Alertmanager ${webhook.status}: ${results.length} alert(s)`, { integration });
    return json(200, { status: 'success', alerts: results });
  };

export const makeReceiveAlertmanagerHandler = (deps: IntakeHandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(receiveAlertmanager(deps));
