/**
 * Turns each sender's payload (already validated by its schema) into the core's Alert.
 */
import type { CloudWatchAlarmEvent } from '../schemas/cloudwatch-alarm-event.js';
import type { CloudWatchSnsAlarm } from '../schemas/cloudwatch-sns-alarm.js';
import { ALARM_ARN } from '../schemas/constants.js';
import type { EventsV2Request } from '../schemas/events-v2.js';
import type { Alert, SenderContext } from './alert.js';
import type { KlaxonConfig } from './config.js';
import { alertPolicyFor } from './config-lookups.js';
import { routeAlert } from './routing.js';
import { severityFromDescription } from './severity.js';
import { parseSenderTimestamp } from './timestamps.js';

/**
 * A CloudWatch alarm's state change, whichever way it came (EventBridge's camelCase event or
 * SNS's PascalCase notification): both shapes are read into this, and one function makes the Alert.
 */
export interface AlarmStateChange {
  alarmName: string;
  alarmArn: string;
  /** The region code (us-east-1), never SNS's display name. */
  region: string;
  account: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  reason: string;
  description: string;
  occurredAt: string;
  /** One line per metric or expression the alarm watches. */
  metrics: string[];
  namespaces: string[];
  alarmRule?: string;
  /** Unchanged when the sender redelivers (EventBridge event id, SNS MessageId). */
  deliveryId: string;
}

/**
 * ALARM opens, OK resolves. INSUFFICIENT_DATA is not an alert (undefined) unless the alarm's tier
 * says so in the config's alertPolicy, and then it opens like ALARM.
 */
export function alertFromAlarmStateChange(config: KlaxonConfig, change: AlarmStateChange): Alert | undefined {
  const reading = severityFromDescription(config, change.description, config.defaultSeverity);
  const details: Record<string, string> = {
    alarm: change.alarmName,
    alarmArn: change.alarmArn,
    region: change.region,
    account: change.account,
  };
  if (change.description) details.description = change.description;
  if (change.metrics.length > 0) details.metric = change.metrics.join('; ');
  if (change.alarmRule) details.alarmRule = change.alarmRule;
  const runbook = /\brunbook\s*[=:]\s*(\S+)/i.exec(change.description)?.[1];
  if (runbook) details.runbook = runbook;

  const alert: Alert = {
    source: 'cloudwatch',
    action: change.state === 'OK' ? 'resolve' : 'trigger',
    dedupKey: change.alarmArn,
    deliveryId: change.deliveryId,
    identifiedDelivery: true,
    title: change.alarmName,
    summary: change.reason || `${change.alarmName} is in ${change.state}`,
    severityText: reading.matched,
    severitySource: 'the alarm description',
    occurredAt: change.occurredAt,
    // CloudWatch's own time: the state change's, else the event's or the SNS message's.
    senderTime: change.occurredAt,
    details,
    actor: `alarm:${change.alarmName}`,
    facts: { alarmName: change.alarmName, namespaces: change.namespaces, description: change.description },
  };
  if (change.state === 'INSUFFICIENT_DATA') {
    const { severity } = routeAlert(config, alert);
    if (alertPolicyFor(config, severity).insufficientData !== 'alert') return undefined;
  }
  return alert;
}

export function alarmChangeFromEvent(event: CloudWatchAlarmEvent): AlarmStateChange {
  const { detail } = event;
  const alarmArn =
    event.resources[0] ?? `arn:aws:cloudwatch:${event.region}:${event.account}:alarm:${detail.alarmName}`;
  const queries = detail.configuration.metrics ?? [];
  const metrics = queries.flatMap((entry) => {
    const metric = entry.metricStat?.metric;
    if (metric?.name) {
      const dimensions = Object.entries(metric.dimensions ?? {}).map(([name, value]) => `${name}=${value}`);
      return [describeMetric(metric.namespace, metric.name, dimensions)];
    }
    return entry.expression ? [`expression ${entry.expression}`] : [];
  });
  const namespaces = queries.flatMap((entry) => entry.metricStat?.metric.namespace ?? []);
  return {
    alarmName: detail.alarmName,
    alarmArn,
    region: event.region,
    account: event.account,
    state: detail.state.value,
    reason: detail.state.reason,
    description: detail.configuration.description ?? '',
    occurredAt: normalizeTimestamp(detail.state.timestamp) ?? event.time,
    metrics,
    namespaces: [...new Set(namespaces)],
    alarmRule: detail.configuration.alarmRule,
    deliveryId: `eventbridge:${event.id}`,
  };
}

export function alarmChangeFromSns(alarm: CloudWatchSnsAlarm, messageId: string, sentAt: string): AlarmStateChange {
  const [, region = '', account = ''] = ALARM_ARN.exec(alarm.AlarmArn) ?? [];
  const trigger = alarm.Trigger ?? {};
  const metrics: string[] = [];
  const namespaces: string[] = [];
  if (trigger.MetricName) {
    const dimensions = (trigger.Dimensions ?? []).map((d) => `${d.name}=${d.value}`);
    metrics.push(describeMetric(trigger.Namespace ?? undefined, trigger.MetricName, dimensions));
    if (trigger.Namespace) namespaces.push(trigger.Namespace);
  }
  for (const query of trigger.Metrics ?? []) {
    const metric = query.MetricStat?.Metric;
    if (metric?.MetricName) {
      const dimensions = (metric.Dimensions ?? []).map((d) => `${d.name}=${d.value}`);
      metrics.push(describeMetric(metric.Namespace, metric.MetricName, dimensions));
      if (metric.Namespace) namespaces.push(metric.Namespace);
    } else if (query.Expression) {
      metrics.push(`expression ${query.Expression}`);
    }
  }
  return {
    alarmName: alarm.AlarmName,
    alarmArn: alarm.AlarmArn,
    region,
    account: alarm.AWSAccountId ?? account,
    state: alarm.NewStateValue,
    reason: alarm.NewStateReason,
    description: alarm.AlarmDescription ?? '',
    occurredAt: normalizeTimestamp(alarm.StateChangeTime) ?? sentAt,
    metrics,
    namespaces: [...new Set(namespaces)],
    alarmRule: alarm.AlarmRule ?? undefined,
    deliveryId: `sns:${messageId}`,
  };
}

const describeMetric = (namespace: string | undefined, name: string, dimensions: string[]) =>
  `${namespace ?? ''} ${name}${dimensions.length ? ` (${dimensions.join(', ')})` : ''}`.trim();

/** ALARM opens, OK resolves; INSUFFICIENT_DATA is ignored unless the tier's alertPolicy says otherwise. */
export function alertFromAlarmEvent(config: KlaxonConfig, event: CloudWatchAlarmEvent): Alert | undefined {
  return alertFromAlarmStateChange(config, alarmChangeFromEvent(event));
}

/** CloudWatch writes "2026-11-20T10:15:01.987+0000": the same forms Events v2 senders use. */
function normalizeTimestamp(text: string | undefined): string | undefined {
  return text ? parseSenderTimestamp(text) : undefined;
}

/** How much of a sender's free-form details an incident keeps (the body may be 512 KB; an item 400 KB). */
export const DETAIL_LIMITS = { entries: 100, keyChars: 128, valueChars: 2048, totalChars: 32 * 1024 } as const;

/**
 * Free-form details as strings, bounded by DETAIL_LIMITS: long values are cut, and once the
 * budget is spent the rest are left out, with an entry that says how many.
 */
export function boundedDetails(
  details: Record<string, unknown>,
  totalChars: number = DETAIL_LIMITS.totalChars,
): Record<string, string> {
  const kept: Record<string, string> = {};
  const entries = Object.entries(details);
  let used = 0;
  let left = 0;
  for (const [key, value] of entries) {
    const text = cut(
      typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)),
      DETAIL_LIMITS.valueChars,
    );
    const name = cut(key, DETAIL_LIMITS.keyChars);
    if (Object.keys(kept).length >= DETAIL_LIMITS.entries || used + name.length + text.length > totalChars) {
      left++;
      continue;
    }
    kept[name] = text;
    used += name.length + text.length;
  }
  if (left > 0) kept['details left out'] = `${left} more (Klaxon keeps ${Math.round(totalChars / 1024)} KB of details)`;
  return kept;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A few links and images are context; hundreds would crowd out the incident (and its item). */
export const CONTEXT_LIMITS = { links: 10, images: 5, urlChars: 2048, labelChars: 256 } as const;

/** A URL a responder may open: http(s) only (a `javascript:` link in the console would run), bounded. */
function webUrl(text: string | undefined): string | undefined {
  if (!text || text.length > CONTEXT_LIMITS.urlChars) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? text : undefined;
  } catch {
    return undefined;
  }
}

const label = (text: string | undefined) => (text ? cut(text, CONTEXT_LIMITS.labelChars) : undefined);

/**
 * The links, images and sending tool an Events v2 trigger or change event names, bounded by
 * CONTEXT_LIMITS; a link or image without a usable URL is left out. Undefined when nothing is left.
 */
export function senderContext(request: {
  client?: string;
  client_url?: string;
  links?: { href: string; text?: string }[];
  images?: { src: string; href?: string; alt?: string }[];
}): SenderContext | undefined {
  const links = (request.links ?? []).flatMap((link) => {
    const href = webUrl(link.href);
    const text = label(link.text);
    return href ? [{ href, ...(text ? { text } : {}) }] : [];
  });
  const images = (request.images ?? []).flatMap((image) => {
    const src = webUrl(image.src);
    const href = webUrl(image.href);
    const alt = label(image.alt);
    return src ? [{ src, ...(href ? { href } : {}), ...(alt ? { alt } : {}) }] : [];
  });
  const client = label(request.client);
  const clientUrl = webUrl(request.client_url);
  const context: SenderContext = {
    ...(client ? { client } : {}),
    ...(clientUrl ? { clientUrl } : {}),
    ...(links.length > 0 ? { links: links.slice(0, CONTEXT_LIMITS.links) } : {}),
    ...(images.length > 0 ? { images: images.slice(0, CONTEXT_LIMITS.images) } : {}),
  };
  return Object.keys(context).length > 0 ? context : undefined;
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
      integration,
      deliveryId: `events-v2:${request.event_action}:${request.dedup_key}`,
      title: request.dedup_key,
      summary: `${request.event_action} from integration ${integration}`,
      occurredAt: receivedAt,
      details: { integration },
      actor: `integration:${integration}`,
    };
  }
  const { payload } = request;
  const details: Record<string, string> = {
    integration,
    source: payload.source,
    ...boundedDetails(payload.custom_details ?? {}),
  };
  if (payload.component) details.component = payload.component;
  if (payload.group) details.group = payload.group;
  if (payload.class) details.class = payload.class;
  const context = senderContext(request);
  const dedupKey = request.dedup_key ?? generatedKey;
  return {
    source: 'events-v2',
    action: 'trigger',
    dedupKey,
    integration,
    deliveryId: `events-v2:${dedupKey}:${payload.timestamp ?? ''}:${payload.summary}`,
    title: payload.summary,
    summary: payload.summary,
    severityText: payload.severity,
    severitySource: 'payload.severity',
    service: payload.group ?? payload.component,
    occurredAt: payload.timestamp ?? receivedAt,
    ...(payload.timestamp ? { senderTime: payload.timestamp } : {}),
    details,
    ...(context ? { context } : {}),
    actor: `integration:${integration}`,
    facts: { component: payload.component, group: payload.group },
  };
}
