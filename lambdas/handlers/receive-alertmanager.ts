/**
 * POST /v1/alerts/alertmanager: Prometheus Alertmanager's webhook (version 4), authenticated by
 * an integration key as a bearer token. One incident per Alertmanager group by default, received
 * before the answer; the alerts a route asks one incident each for are stored in the inbox first
 * and received in the background (5,000 incidents cannot be written within Alertmanager's webhook
 * timeout). One notification may hold both kinds.
 */
import middy from '@middy/core';
import { InboxAlertTooLargeError, storeInInbox } from '../core/alert-inbox.js';
import {
  alertFromAlertmanager,
  alertFromAlertmanagerGroup,
  digest,
  receiveAlertmanagerGroup,
  splitAlertmanagerNotification,
} from '../core/alertmanager.js';
import { integrationFor } from '../core/integration-keys.js';
import { loadOnce } from '../core/load-once.js';
import type { IntakeHandlerDeps } from './deps.js';
import {
  BadRequestError,
  ForbiddenError,
  type HttpEvent,
  type HttpResult,
  headerValue,
  json,
  jsonErrors,
  PayloadTooLargeError,
  readJsonBody,
  UnauthorizedError,
} from './http.js';
import { validationIssues } from './validation.js';

const alertmanagerSchemas = loadOnce(() => import('../schemas/alertmanager.js'));

/**
 * Alertmanager sends a whole group in one POST (5,000 alerts are about 3 MB). API Gateway hands
 * Lambda at most 6 MB (6,291,456 bytes) of event for a synchronous invoke, headers and request
 * context included: this leaves them room.
 */
export const ALERTMANAGER_MAX_BODY_BYTES = 6_000_000;

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
    const { alertmanagerWebhookSchema } = await alertmanagerSchemas();
    const integration = integrationOf(deps, event);
    const parsed = alertmanagerWebhookSchema.safeParse(readJsonBody(event, { maxBytes: ALERTMANAGER_MAX_BODY_BYTES }));
    if (!parsed.success) {
      const errors = validationIssues(parsed.error);
      throw new BadRequestError(`Not an Alertmanager webhook (version 4): ${errors.join('; ')}`, { errors });
    }
    const webhook = parsed.data;
    const receivedAt = deps.clock.now().toISOString();
    const { truncatedAlerts } = webhook;
    const parts = splitAlertmanagerNotification(deps.config, webhook);
    let group: { outcome: string; incidentId: string | null; firing: number; resolved: number } | undefined;
    if (parts.group) {
      const alert = alertFromAlertmanagerGroup(deps.config, parts.group, integration, receivedAt);
      const result = await receiveAlertmanagerGroup(deps, alert);
      const incidentId = 'incident' in result ? result.incident.id : null;
      const { firing, resolved } = alert.group;
      deps.logger.info(`Alertmanager group ${parts.group.status} → ${result.outcome}`, {
        integration,
        incidentId,
        firing,
        resolved,
        truncatedAlerts,
      });
      group = { outcome: result.outcome, incidentId, firing, resolved };
    }
    if (!parts.perAlert) return json(200, { status: 'success', ...group, truncatedAlerts });
    const { perAlert } = parts;
    const alerts = perAlert.alerts.map((entry) => alertFromAlertmanager(perAlert, entry, integration, receivedAt));
    // Named by the delivery's content: Alertmanager's retry of this notification rewrites the same chunks.
    const inbox = digest(integration, ...alerts.map((alert) => alert.deliveryId));
    const chunks = await storeInInbox(deps, inbox, alerts).catch((error: unknown) => {
      if (!(error instanceof InboxAlertTooLargeError)) throw error;
      throw new PayloadTooLargeError(
        `The alert with fingerprint ${error.dedupKey} is ${error.bytes} bytes once stored; one alert under a per-alert route may be at most ${error.maxBytes} bytes. Shorten its labels and annotations; nothing of this notification was stored.`,
      );
    });
    const log = truncatedAlerts > 0 ? deps.logger.warn : deps.logger.info;
    log(`Alertmanager ${webhook.status}: ${alerts.length} alert(s) stored for one incident each`, {
      integration,
      inbox,
      chunks: chunks.length,
      truncatedAlerts,
    });
    // Both parts are stored by now; the group's incident (when the notification has one) is in the answer too.
    return json(202, {
      status: 'accepted',
      alerts: alerts.length,
      inbox,
      chunks: chunks.length,
      truncatedAlerts,
      ...group,
    });
  };

export const makeReceiveAlertmanagerHandler = (deps: IntakeHandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(receiveAlertmanager(deps));
