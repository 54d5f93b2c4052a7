/**
 * POST /v1/services/{name}/maintenance `{"until","reason"?,"by"?}` starts (or replaces) a
 * maintenance window; GET shows it. Alerts for the service during the window open and record
 * incidents but page nobody (see escalateUnlessInMaintenance in lambdas/core/intake.ts).
 */
import middy from '@middy/core';
import * as z from 'zod';
import type { MaintenanceWindow } from '../core/intake-records.js';
import { maintenanceBodySchema } from '../schemas/maintenance.js';
import type { IntakeHandlerDeps } from './deps.js';
import {
  BadRequestError,
  type HttpEvent,
  type HttpResult,
  json,
  jsonErrors,
  NotFoundError,
  pathParameter,
  readJsonBody,
} from './http.js';

/** A window longer than this is more likely a typo (a year for a day) than a plan. */
const MAX_WINDOW_DAYS = 31;

const serviceName = (event: HttpEvent): string => pathParameter(event, 'name');

export const serviceMaintenance =
  (deps: IntakeHandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const service = serviceName(event);
    if (event.requestContext.http.method === 'GET') {
      const window = await deps.records.getMaintenance(service);
      if (!window) throw new NotFoundError(`Service ${service} has no maintenance window`);
      return json(200, { ...window, inForce: Date.parse(window.endsAt) > deps.clock.now().getTime() });
    }
    const parsed = maintenanceBodySchema.safeParse(readJsonBody(event));
    if (!parsed.success) throw new BadRequestError(`Invalid body: ${z.prettifyError(parsed.error)}`);
    const now = deps.clock.now();
    const endsAt = new Date(parsed.data.until);
    if (endsAt.getTime() <= now.getTime()) {
      throw new BadRequestError(`until (${parsed.data.until}) is in the past; give the time the window ends`);
    }
    if (endsAt.getTime() - now.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
      throw new BadRequestError(`until is more than ${MAX_WINDOW_DAYS} days away; maintenance windows are shorter`);
    }
    const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn;
    const window: MaintenanceWindow = {
      service,
      startsAt: now.toISOString(),
      endsAt: endsAt.toISOString(),
      reason: parsed.data.reason,
      by: iam?.split('/').pop() ?? parsed.data.by ?? 'api',
    };
    await deps.records.putMaintenance(window);
    deps.logger.info(`Maintenance for ${service} until ${window.endsAt}`, { by: window.by });
    return json(200, { ...window, inForce: true });
  };

export const makeServiceMaintenanceHandler = (deps: IntakeHandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(serviceMaintenance(deps));
