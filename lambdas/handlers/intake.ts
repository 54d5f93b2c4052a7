/**
 * The intake function's entry: EventBridge alarm events, the alert HTTP routes, its own alert
 * inbox and an operator's inbox redrive share one function (one cold start, one set of grants);
 * each shape goes to its own handler.
 */
import { type DrainResult, isInboxEvent, parseRedriveInboxEvent, type RedriveResult } from '../core/alert-inbox.js';
import type { IntakeHandlerDeps } from './deps.js';
import { makeHeartbeatHandler } from './heartbeats.js';
import type { HttpEvent, HttpResult } from './http.js';
import { json } from './http.js';
import { type AlarmEventResult, makeReceiveAlarmEventHandler } from './receive-alarm-event.js';
import { makeReceiveAlertInboxHandler, makeRedriveAlertInboxHandler } from './receive-alert-inbox.js';
import { makeReceiveAlertmanagerHandler } from './receive-alertmanager.js';
import { makeReceiveChangeEventHandler } from './receive-change-events.js';
import { makeReceiveEventsV2Handler } from './receive-events-v2.js';
import { makeReceiveSnsAlarmHandler } from './receive-sns-alarm.js';
import { noteRefusal } from './refused-alerts.js';
import { isScheduledWork, makeScheduledWorkHandler, type ScheduledWorkResult } from './scheduled-work.js';
import { makeServiceMaintenanceHandler } from './service-maintenance.js';

const isHttpEvent = (event: unknown): event is HttpEvent =>
  typeof event === 'object' && event !== null && 'routeKey' in event && 'requestContext' in event;

export function makeIntakeHandler(deps: IntakeHandlerDeps) {
  const alarmEvents = makeReceiveAlarmEventHandler(deps);
  const eventsV2 = makeReceiveEventsV2Handler(deps);
  const maintenance = makeServiceMaintenanceHandler(deps);
  const inbox = makeReceiveAlertInboxHandler(deps);
  const redrive = makeRedriveAlertInboxHandler(deps);
  const heartbeats = makeHeartbeatHandler(deps);
  const scheduled = makeScheduledWorkHandler(deps);
  const byRoute: Record<string, (event: HttpEvent, context: Parameters<typeof alarmEvents>[1]) => Promise<HttpResult>> =
    {
      'POST /v1/alerts/events': eventsV2,
      'POST /v2/enqueue': eventsV2,
      'POST /v2/change/enqueue': makeReceiveChangeEventHandler(deps),
      'POST /v1/alerts/cloudwatch': makeReceiveSnsAlarmHandler(deps),
      'POST /v1/alerts/alertmanager': makeReceiveAlertmanagerHandler(deps),
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
    context: Parameters<typeof alarmEvents>[1],
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
