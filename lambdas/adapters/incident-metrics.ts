/**
 * Klaxon's business metrics, as CloudWatch embedded metric format (EMF) through Powertools
 * Metrics. They are derived at the edge from the lifecycle events the core already publishes
 * (opened, paged, acknowledged, resolved, …), so the core stays free of any metrics library: the
 * publisher below wraps the real one and records a metric for each event it delivered.
 *
 * The names live here once; the CDK dashboard (lib/health.ts) reads them from this file.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { LifecycleEvent } from '../core/lifecycle-events.js';
import type { LifecyclePublisher } from '../core/ports.js';

/** The CloudWatch namespace; each Klaxon's functions set POWERTOOLS_SERVICE_NAME to tell them apart. */
export const METRICS_NAMESPACE = 'Klaxon';
/** The dimension besides Powertools' `service`. */
export const SEVERITY_DIMENSION = 'severity';

export const INCIDENT_METRICS = {
  opened: 'IncidentsOpened',
  paged: 'PagesSent',
  acknowledged: 'TimeToAcknowledge',
  resolved: 'TimeToResolve',
  escalated: 'IncidentsEscalated',
  reminded: 'RemindersSent',
  reopened: 'IncidentsReopened',
} as const;

/** The slice of Powertools Metrics this file uses, so tests can pass a recording one. */
export type MetricsSink = Pick<Metrics, 'addDimension' | 'addMetric' | 'publishStoredMetrics'>;

/** Seconds from the incident opening to this event, for the time-to-* metrics. */
function secondsSinceOpened(event: LifecycleEvent): number {
  return Math.max(0, (Date.parse(event.detail.at) - Date.parse(event.detail.incident.openedAt)) / 1000);
}

/**
 * Publishes through `inner`, then records one metric per delivered event and flushes them as one
 * EMF line per event. Only after a successful publish: a publish that failed (and will be retried)
 * records nothing.
 */
export function withIncidentMetrics(inner: LifecyclePublisher, metrics: MetricsSink): LifecyclePublisher {
  return {
    async publish(events) {
      await inner.publish(events);
      for (const event of events) {
        metrics.addDimension(SEVERITY_DIMENSION, event.detail.incident.severity);
        const { kind } = event.detail;
        if (kind === 'opened' || kind === 'paged') metrics.addMetric(INCIDENT_METRICS[kind], 'Count', 1);
        else if (kind === 'acknowledged' || kind === 'resolved') {
          metrics.addMetric(INCIDENT_METRICS[kind], 'Seconds', secondsSinceOpened(event));
        } else metrics.addMetric(INCIDENT_METRICS[kind], 'Count', 1);
        // One EMF document per event: its severity dimension applies to all metrics in a document.
        metrics.publishStoredMetrics();
      }
    },
  };
}

/** Requests an alert route answered with a 4xx: each is an alert that became no incident. */
export const ALERTS_REFUSED = 'AlertsRefused';
/** What tells the senders apart: the route key, and the integration (or an allowed SNS topic, or "unknown"). */
export const REFUSAL_DIMENSIONS = { route: 'route', integration: 'integration' } as const;

/**
 * Counts one refused alert as two EMF documents: by route and integration, to find which sender
 * is misconfigured, and, for a sender Klaxon could tell (an integration key, an allowed SNS topic),
 * by `service` alone: the series the operators' alarm watches (an alarm reads one exact set of
 * dimensions). A request nobody can be told from is any stranger on the internet: counting it in
 * the alarmed series would let anyone hold the alarm on, and hide the next real refusal. Both
 * series' values stay few: routes come from the route table, integrations from the config.
 */
export function refusalCounter(
  metrics: MetricsSink,
): (refusal: { route: string; integration: string; identified: boolean }) => void {
  return ({ route, integration, identified }) => {
    if (identified) {
      metrics.addMetric(ALERTS_REFUSED, 'Count', 1);
      metrics.publishStoredMetrics();
    }
    metrics.addDimension(REFUSAL_DIMENSIONS.route, route);
    metrics.addDimension(REFUSAL_DIMENSIONS.integration, integration);
    metrics.addMetric(ALERTS_REFUSED, 'Count', 1);
    metrics.publishStoredMetrics();
  };
}
