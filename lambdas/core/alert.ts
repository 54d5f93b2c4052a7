/**
 * An alert as the core sees it, whatever sent it. Each intake path (CloudWatch through
 * EventBridge or SNS, Events API v2, Alertmanager) turns its payload into this.
 */

/** The intake path an alert came through; 'manual' is a fire drill (POST /v1/drills), 'heartbeat' a monitor's missed ping. */
export type AlertSource = 'cloudwatch' | 'events-v2' | 'alertmanager' | 'manual' | 'heartbeat';

/**
 * Links, images and the sending tool an Events v2 trigger names, kept as sent but bounded
 * (senderContext): only http(s) URLs, a few of each, so the incident item stays small.
 */
export interface SenderContext {
  client?: string;
  clientUrl?: string;
  links?: { href: string; text?: string }[];
  images?: { src: string; href?: string; alt?: string }[];
}

export type AlertAction = 'trigger' | 'acknowledge' | 'resolve';

export interface Alert {
  source: AlertSource;
  action: AlertAction;
  /**
   * What identifies "the same problem" for this sender (alarm ARN, Events v2 dedup_key).
   * Scoped by source, and by integration when there is one, before it is stored (scopedDedupKey),
   * so two senders cannot collide.
   */
  dedupKey: string;
  /**
   * The name (from the config's integrationKeys) of the integration key an Events v2 or
   * Alertmanager alert authenticated with. Absent for CloudWatch, whose alarm ARN is unique already.
   */
  integration?: string;
  /** Unchanged when the sender redelivers the same alert (SNS MessageId, EventBridge event id). */
  deliveryId: string;
  /**
   * The sender names this very delivery (SNS MessageId, EventBridge event id) and sends it again
   * only to retry it: once processed, it never acts again (see receiveAlert). Absent where the
   * sender gives no such identity (Events v2, Alertmanager): every POST of theirs is an event.
   */
  identifiedDelivery?: boolean;
  title: string;
  summary: string;
  /** The severity text as sent (`SEV1`, `critical`, …); parsed against the config's aliases. */
  severityText?: string;
  /** Where the severity text came from, for the timeline when it is unknown. */
  severitySource?: string;
  service?: string;
  occurredAt: string;
  /**
   * The time the sender put on the alert (CloudWatch's state change time, Alertmanager's
   * startsAt, an Events v2 payload.timestamp); absent when it gave none and `occurredAt` is when
   * we received it. Only a sender's own times order its alerts: a queue may redeliver an old one
   * after a newer one, and our receive times say nothing about which came first.
   */
  senderTime?: string;
  /**
   * When Klaxon first received the delivery that carried this alert, kept through the inbox (a
   * retried chunk still says when its alerts came). Set where a sender may legitimately repeat
   * the very sender time of an alert it resolved (Alertmanager's startsAt): see staleTrigger.
   */
  receivedAt?: string;
  details: Record<string, string>;
  /** Links, images and the sending tool, kept on the incident the alert opens. */
  context?: SenderContext;
  /** Who acts, for acknowledge/resolve actions sent by an integration. */
  actor: string;
  /** A fire drill (POST /v1/drills): every message says [DRILL] and reports leave it out. */
  drill?: boolean;
  /** What routing rules can match on (see lambdas/core/routing.ts). */
  facts?: RoutingFacts;
  /** An Alertmanager group notification: the group as this notification shows it (lambdas/core/alertmanager.ts). */
  group?: AlertGroup;
}

/** One alert of an Alertmanager group, as the incident lists it. */
export interface AlertGroupMember {
  status: 'firing' | 'resolved';
  fingerprint: string;
  /** The labels that tell it apart from the group's common labels. */
  labels: Record<string, string>;
  summary?: string;
  startsAt?: string;
}

/**
 * An Alertmanager group as its latest notification showed it: bounded whatever the group's size
 * (the incident is one DynamoDB item), with every alert counted even when not listed.
 */
export interface AlertGroup {
  groupKey: string;
  status: 'firing' | 'resolved';
  /** Firing alerts, including those Alertmanager left out of the notification while the group fires. */
  firing: number;
  resolved: number;
  /** How many alerts Alertmanager left out of the notification (the receiver's max_alerts). */
  truncatedAlerts: number;
  externalURL?: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  /** The first alerts, firing before resolved. */
  alerts: AlertGroupMember[];
  /** How many alerts of the group `alerts` leaves out ("and K more"), the truncated ones included. */
  moreAlerts: number;
  /** When Klaxon received the notification: an older one never overwrites a newer one. */
  receivedAt: string;
}

export interface RoutingFacts {
  alarmName?: string;
  namespaces?: string[];
  description?: string;
  labels?: Record<string, string>;
  component?: string;
  group?: string;
}

/**
 * The key the store claims for an alert while its incident is open, and that finishResolution
 * frees: built here only, from an alert or from the incident it opened (which keeps `integration`).
 *
 * Senders that authenticate with an integration key choose their own dedup keys, so two teams can
 * both send "disk-full": as on PagerDuty, the key is scoped by integration as well as by source.
 * The integration is URI-encoded (names may hold ':'), so no two (integration, key) pairs give the
 * same string, and the `source@` prefix is never a bare source, so no such key equals a
 * `source:key` one.
 *
 * Without an integration (CloudWatch, whose alarm ARN is unique already) the key is `source:key`.
 */
export const scopedDedupKey = (alert: Pick<Alert, 'source' | 'dedupKey' | 'integration'>): string =>
  alert.integration === undefined
    ? `${alert.source}:${alert.dedupKey}`
    : `${alert.source}@${encodeURIComponent(alert.integration)}:${alert.dedupKey}`;

/** The group in a few lines of plain text, for the page email and the console: counts first, then its first alerts. */
export function alertGroupLines(group: AlertGroup): string[] {
  const leftOut =
    group.truncatedAlerts > 0 ? ` (${group.truncatedAlerts} of them not sent by Alertmanager: max_alerts)` : '';
  const counts =
    group.status === 'firing'
      ? `${group.firing} firing${leftOut}, ${group.resolved} resolved`
      : `${group.firing} firing, ${group.resolved} resolved${leftOut}`;
  return [
    `Alertmanager group: ${counts}`,
    ...group.alerts.map((alert) => {
      const labels = Object.entries(alert.labels).map(([name, value]) => `${name}=${value}`);
      return `  ${alert.status} ${labels.join(' ')}${alert.summary ? `: ${alert.summary}` : ''}`;
    }),
    ...(group.moreAlerts > 0 ? [`  and ${group.moreAlerts} more`] : []),
  ];
}
