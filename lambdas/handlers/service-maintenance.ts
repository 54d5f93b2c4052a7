/**
 * POST /v1/services/{name}/maintenance `{"until","reason"?,"by"?}` starts (or replaces) a
 * maintenance window; GET shows it. Alerts for the service during the window open and record
 * incidents but page nobody (their run is held: decideTrigger in lambdas/core/intake.ts) until the
 * window's end, when a schedule starts their ladders (startHeldLadders). Which
 * window may be set and when it is in force are core's rules (lambdas/core/maintenance.ts).
 */
import middy from '@middy/core';
import { loadOnce } from '../core/load-once.js';
import { isInForce, setMaintenanceWindow } from '../core/maintenance.js';
import { actor } from './api-route.js';
import type { IntakeHandlerDeps } from './deps.js';
import {
  type HttpEvent,
  type HttpResult,
  json,
  jsonErrors,
  NotFoundError,
  pathParameter,
  readJsonBody,
  validate,
} from './http.js';

const maintenanceSchemas = loadOnce(() => import('../schemas/maintenance.js'));

type MaintenanceDeps = Pick<IntakeHandlerDeps, 'records' | 'clock' | 'logger' | 'schedules' | 'config'>;

export const serviceMaintenance =
  (deps: MaintenanceDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const service = pathParameter(event, 'name');
    if (event.requestContext.http.method === 'GET') {
      const window = await deps.records.getMaintenance(service);
      if (!window) throw new NotFoundError(`Service ${service} has no maintenance window`);
      return json(200, { ...window, inForce: isInForce(window, deps.clock.now()) });
    }
    const { maintenanceBodySchema } = await maintenanceSchemas();
    const body = validate(maintenanceBodySchema, readJsonBody(event), 'body');
    const now = deps.clock.now();
    const window = await setMaintenanceWindow(deps, {
      service,
      until: body.until,
      reason: body.reason,
      by: actor(deps, event, body.by),
    });
    deps.logger.info(`Maintenance for ${service} until ${window.endsAt}`, { by: window.by });
    return json(200, { ...window, inForce: isInForce(window, now) });
  };

export const makeServiceMaintenanceHandler = (deps: MaintenanceDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(serviceMaintenance(deps));
