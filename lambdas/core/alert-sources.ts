/**
 * Turns each sender's payload (already validated by its schema) into the core's Alert.
 */
import type { CloudWatchAlarmEvent } from '../schemas/cloudwatch-alarm-event.js';
import type { EventsV2Request } from '../schemas/events-v2.js';
import type { Alert } from './alert.js';
import type { KlaxonConfig } from './config.js';
import { severityFromDescription } from './severity.js';

/** ALARM opens, OK resolves; INSUFFICIENT_DATA is not an alert (undefined). */
export function alertFromAlarmEvent(config: KlaxonConfig, event: CloudWatchAlarmEvent): Alert | undefined {
  const { detail } = event;
  const state = detail.state.value;
  if (state === 'INSUFFICIENT_DATA') return undefined;
  const alarmArn =
    event.resources[0] ?? `arn:aws:cloudwatch:${event.region}:${event.account}:alarm:${detail.alarmName}`;
  const description = detail.configuration.description ?? '';
  const reading = severityFromDescription(config, description, config.defaultSeverity);
  const details: Record<string, string> = {
    alarm: detail.alarmName,
    alarmArn,
    region: event.region,
    account: event.account,
  };
  if (description) details.description = description;
  const metrics = (detail.configuration.metrics ?? []).flatMap((entry) => {
    const metric = entry.metricStat?.metric;
    if (metric?.name) {
      const dimensions = Object.entries(metric.dimensions ?? {}).map(([name, value]) => `${name}=${value}`);
      return [
        `${metric.namespace ?? ''} ${metric.name}${dimensions.length ? ` (${dimensions.join(', ')})` : ''}`.trim(),
      ];
    }
    return entry.expression ? [`expression ${entry.expression}`] : [];
  });
  if (metrics.length > 0) details.metric = metrics.join('; ');
  if (detail.configuration.alarmRule) details.alarmRule = detail.configuration.alarmRule;
  const runbook = /\brunbook\s*[=:]\s*(\S+)/i.exec(description)?.[1];
  if (runbook) details.runbook = runbook;

  return {
    source: 'cloudwatch',
    action: state === 'ALARM' ? 'trigger' : 'resolve',
    dedupKey: alarmArn,
    deliveryId: `eventbridge:${event.id}`,
    title: detail.alarmName,
    summary: detail.state.reason || `${detail.alarmName} is in ${state}`,
    severityText: reading.matched,
    severitySource: 'the alarm description',
    occurredAt: normalizeTimestamp(detail.state.timestamp) ?? event.time,
    details,
    actor: `alarm:${detail.alarmName}`,
  };
}

/** CloudWatch writes "2026-11-20T10:15:01.987+0000"; make it ISO 8601 that Date can read everywhere. */
function normalizeTimestamp(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const parsed = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/**
 * An Events API v2 event. A trigger without dedup_key gets a fresh key (so it always opens a new
 * incident, as on PagerDuty); `generatedKey` supplies it so the response can return it.
 */
export function alertFromEventsV2(
  request: EventsV2Request,
  integration: string,
  generatedKey: string,
  receivedAt: string,
): Alert {
  if (request.event_action !== 'trigger') {
    return {
      source: 'events-v2',
      action: request.event_action,
      dedupKey: request.dedup_key,
      deliveryId: `events-v2:${request.event_action}:${request.dedup_key}`,
      title: request.dedup_key,
      summary: `${request.event_action} from integration ${integration}`,
      occurredAt: receivedAt,
      details: { integration },
      actor: `integration:${integration}`,
    };
  }
  const { payload } = request;
  const details: Record<string, string> = { integration, source: payload.source };
  if (payload.component) details.component = payload.component;
  if (payload.group) details.group = payload.group;
  if (payload.class) details.class = payload.class;
  for (const [key, value] of Object.entries(payload.custom_details ?? {})) {
    details[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  for (const [i, link] of (request.links ?? []).entries()) {
    details[`link${i + 1}`] = link.text ? `${link.text}: ${link.href}` : link.href;
  }
  const dedupKey = request.dedup_key ?? generatedKey;
  return {
    source: 'events-v2',
    action: 'trigger',
    dedupKey,
    deliveryId: `events-v2:${dedupKey}:${payload.timestamp ?? ''}:${payload.summary}`,
    title: payload.summary,
    summary: payload.summary,
    severityText: payload.severity,
    severitySource: 'payload.severity',
    service: payload.group ?? payload.component,
    occurredAt: payload.timestamp ?? receivedAt,
    details,
    actor: `integration:${integration}`,
  };
}
