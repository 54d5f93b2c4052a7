/**
 * The intake function's entry: EventBridge alarm events and the alert HTTP routes share one
 * function (one cold start, one set of grants); each shape goes to its own handler.
 */
import type { HandlerDeps } from './deps.js';
import type { HttpEvent, HttpResult } from './http.js';
import { type AlarmEventResult, makeReceiveAlarmEventHandler } from './receive-alarm-event.js';
import { makeReceiveEventsV2Handler } from './receive-events-v2.js';

const isHttpEvent = (event: unknown): event is HttpEvent =>
  typeof event === 'object' && event !== null && 'routeKey' in event && 'requestContext' in event;

export function makeIntakeHandler(deps: HandlerDeps) {
  const alarmEvents = makeReceiveAlarmEventHandler(deps);
  const eventsV2 = makeReceiveEventsV2Handler(deps);
  return async (event: unknown, context: Parameters<typeof alarmEvents>[1]): Promise<HttpResult | AlarmEventResult> =>
    isHttpEvent(event) ? eventsV2(event, context) : alarmEvents(event, context);
}
