/**
 * An alert as the core sees it, whatever sent it. Each intake path (CloudWatch through
 * EventBridge or SNS, Events API v2, Alertmanager) turns its payload into this.
 */
import type { AlertSource } from './incident.js';

export type AlertAction = 'trigger' | 'acknowledge' | 'resolve';

export interface Alert {
  source: AlertSource;
  action: AlertAction;
  /**
   * What identifies "the same problem" for this sender (alarm ARN, Events v2 dedup_key).
   * Scoped by source before it is stored, so two senders cannot collide.
   */
  dedupKey: string;
  /** Unchanged when the sender redelivers the same alert (SNS MessageId, EventBridge event id). */
  deliveryId: string;
  title: string;
  summary: string;
  /** The severity text as sent (`SEV1`, `critical`, …); parsed against the config's aliases. */
  severityText?: string;
  /** Where the severity text came from, for the timeline when it is unknown. */
  severitySource?: string;
  service?: string;
  occurredAt: string;
  details: Record<string, string>;
  /** Who acts, for acknowledge/resolve actions sent by an integration. */
  actor: string;
  /** A fire drill (POST /v1/drills): every message says [DRILL] and reports leave it out. */
  drill?: boolean;
  /** What routing rules can match on (see lambdas/core/routing.ts). */
  facts?: RoutingFacts;
}

export interface RoutingFacts {
  alarmName?: string;
  namespaces?: string[];
  description?: string;
  labels?: Record<string, string>;
  component?: string;
  group?: string;
}

export const scopedDedupKey = (alert: Pick<Alert, 'source' | 'dedupKey'>): string =>
  `${alert.source}:${alert.dedupKey}`;
