/**
 * The intake function's entry: EventBridge alarm events, the alert HTTP routes, its own alert
 * inbox and an operator's inbox redrive share one function (one cold start, one set of grants);
 * each shape goes to its own handler. A cold start loads only this router: each handler, with the
 * core and schemas it needs, is loaded by the first request for it (onFirstUse), so an
 * Alertmanager webhook never loads the SNS signature checks, nor a heartbeat ping the inbox.
 */
import type { Context } from 'aws-lambda';
import type { DrainResult, RedriveResult } from '../core/alert-inbox.js';
import {
  type InboxEvent,
  isInboxEvent,
  isScheduledWork,
  parseRedriveInboxEvent,
  type RedriveInboxEvent,
} from '../core/intake-invocations.js';
import { onFirstUse } from '../core/load-once.js';
import type { IntakeHandlerDeps } from './deps.js';
import { type HttpEvent, type HttpResult, json, routeOnFirstUse } from './http.js';
import type { AlarmEventResult } from './receive-alarm-event.js';
import { noteRefusal } from './refused-alerts.js';
import type { ScheduledWorkResult } from './scheduled-work.js';

type Route = (event: HttpEvent, context: Context) => Promise<HttpResult>;

const isHttpEvent = (event: unknown): event is HttpEvent =>
  typeof event === 'object' && event !== null && 'routeKey' in event && 'requestContext' in event;

export function makeIntakeHandler(deps: IntakeHandlerDeps) {
  const loadRoute = (load: () => Promise<Route>): Route => routeOnFirstUse(deps.logger, load);
  const alarmEvents = onFirstUse<[unknown, Context], AlarmEventResult>(async () =>
    (await import('./receive-alarm-event.js')).makeReceiveAlarmEventHandler(deps),
  );
  const inbox = onFirstUse<[InboxEvent, Context], DrainResult>(async () =>
    (await import('./receive-alert-inbox.js')).makeReceiveAlertInboxHandler(deps),
  );
  const redrive = onFirstUse<[RedriveInboxEvent, Context], RedriveResult>(async () =>
    (await import('./receive-alert-inbox.js')).makeRedriveAlertInboxHandler(deps),
  );
  const scheduled = onFirstUse<[{ klaxon: string }], ScheduledWorkResult>(async () =>
    (await import('./scheduled-work.js')).makeScheduledWorkHandler(deps),
  );
  const eventsV2 = loadRoute(async () => (await import('./receive-events-v2.js')).makeReceiveEventsV2Handler(deps));
  const maintenance = loadRoute(async () =>
    (await import('./service-maintenance.js')).makeServiceMaintenanceHandler(deps),
  );
  const heartbeats = loadRoute(async () => (await import('./heartbeats.js')).makeHeartbeatHandler(deps));
  const byRoute: Record<string, Route> = {
    'POST /v1/alerts/events': eventsV2,
    'POST /v2/enqueue': eventsV2,
    'POST /v2/change/enqueue': loadRoute(async () =>
      (await import('./receive-change-events.js')).makeReceiveChangeEventHandler(deps),
    ),
    'POST /v1/alerts/cloudwatch': loadRoute(async () =>
      (await import('./receive-sns-alarm.js')).makeReceiveSnsAlarmHandler(deps),
    ),
    'POST /v1/alerts/alertmanager': loadRoute(async () =>
      (await import('./receive-alertmanager.js')).makeReceiveAlertmanagerHandler(deps),
    ),
    'POST /v1/services/{name}/maintenance': maintenance,
    'GET /v1/services/{name}/maintenance': maintenance,
    'POST /v1/heartbeats/{monitor}': heartbeats,
    'GET /v1/heartbeats/{monitor}': heartbeats,
    'GET /v1/heartbeats': heartbeats,
    'POST /v1/heartbeats': heartbeats,
    'DELETE /v1/heartbeats/{monitor}': heartbeats,
  };
  return async (
    event: unknown,
    context: Context,
  ): Promise<HttpResult | AlarmEventResult | DrainResult | RedriveResult | ScheduledWorkResult> => {
    if (isInboxEvent(event)) return inbox(event, context);
    if (isScheduledWork(event)) return scheduled(event);
    const redriveEvent = parseRedriveInboxEvent(event);
    if (redriveEvent) return redrive(redriveEvent, context);
    if (!isHttpEvent(event)) return alarmEvents(event, context);
    const route = byRoute[event.routeKey];
    if (!route) return json(404, { message: `No intake route ${event.routeKey}` });
    const result = await route(event, context);
    noteRefusal(deps, event, result);
    return result;
  };
}
