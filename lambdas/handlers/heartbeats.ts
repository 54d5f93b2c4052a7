/**
 * Heartbeat monitors over HTTP. A sender pings `POST` or `GET /v1/heartbeats/{monitor}` with an
 * integration key, as `Authorization: Bearer <key>` or, for a plain `curl` in a crontab, `?key=`
 * (a key in a URL lands in access logs and shell history: prefer the header). People add, list
 * and remove monitors at `/v1/heartbeats` (IAM). The rules live in lambdas/core/heartbeats.ts.
 */
import middy from '@middy/core';
import { addMonitor, type HeartbeatDeps, listMonitors, receivePing, removeMonitor } from '../core/heartbeats.js';
import { integrationFor } from '../core/integration-keys.js';
import { loadOnce } from '../core/load-once.js';
import { actor } from './api-route.js';
import type { IntakeHandlerDeps } from './deps.js';
import {
  bearerToken,
  ForbiddenError,
  type HttpEvent,
  type HttpResult,
  json,
  jsonErrors,
  pathParameter,
  readJsonBody,
  UnauthorizedError,
  validate,
} from './http.js';

const heartbeatsSchemas = loadOnce(() => import('../schemas/heartbeats.js'));

type HeartbeatHandlerDeps = HeartbeatDeps & Pick<IntakeHandlerDeps, 'logger'>;

/** The integration a ping authenticates with: the bearer header first, else `?key=`. */
function pingIntegration(deps: HeartbeatHandlerDeps, event: HttpEvent, queryKey: string | undefined): string {
  const key = bearerToken(event) ?? queryKey;
  if (!key) {
    throw new UnauthorizedError(
      'Send an integration key as "Authorization: Bearer <key>", or as ?key=<key> where no header can be set',
    );
  }
  const integration = integrationFor(deps.config, key);
  if (!integration) throw new ForbiddenError('Unknown integration key: no Klaxon integration has this key');
  return integration;
}

export const heartbeatRoutes =
  (deps: HeartbeatHandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    switch (event.routeKey) {
      case 'POST /v1/heartbeats/{monitor}':
      case 'GET /v1/heartbeats/{monitor}': {
        const { pingQuerySchema } = await heartbeatsSchemas();
        const name = pathParameter(event, 'monitor');
        const query = validate(pingQuerySchema, event.queryStringParameters ?? {}, 'query');
        const integration = pingIntegration(deps, event, query.key);
        const result = await receivePing(deps, name);
        if (result.resolved) deps.logger.info(`Heartbeat ${result.monitor} is back`, { ...result, integration });
        return json(200, { status: 'ok', ...result });
      }
      case 'GET /v1/heartbeats':
        return json(200, { heartbeats: await listMonitors(deps) });
      case 'POST /v1/heartbeats': {
        const { heartbeatBodySchema } = await heartbeatsSchemas();
        const body = validate(heartbeatBodySchema(), readJsonBody(event), 'body');
        const monitor = await addMonitor(deps, { ...body, by: actor(deps, event, body.by) });
        deps.logger.info(`Heartbeat monitor ${monitor.name} added`, { by: monitor.createdBy });
        return json(201, monitor);
      }
      case 'DELETE /v1/heartbeats/{monitor}': {
        const name = pathParameter(event, 'monitor');
        await removeMonitor(deps, name);
        deps.logger.info(`Heartbeat monitor ${name} removed`);
        return json(200, { removed: name });
      }
      default:
        return json(404, { message: `No heartbeat route ${event.routeKey}` });
    }
  };

export const makeHeartbeatHandler = (deps: HeartbeatHandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(heartbeatRoutes(deps));
