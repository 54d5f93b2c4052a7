/**
 * The incident and its lifecycle: open → acknowledged → resolved. Transitions are pure
 * decisions; the store applies them with a condition on the status they started from, so two
 * responders racing cannot both win.
 */
import type { AlertGroup, AlertSource, SenderContext } from './alert.js';
import type { Severity } from './config.js';
import type { Run } from './runs.js';

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * Every id an incident can have: a ULID from the id generator, or the id a drill's starter chose
 * (so that a retry returns the same drill).
 */
export const INCIDENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An incident's short number as people write it: `142` or `#142`. A reference of digits alone is
 * always a number, never an id (the drill schema refuses an id of digits alone).
 */
const INCIDENT_NUMBER = /^#?([1-9]\d{0,15})$/;

/** The number a reference names (`142`, `#142`), or undefined when it is an id. */
export function incidentNumberOf(reference: string): number | undefined {
  const match = INCIDENT_NUMBER.exec(reference.trim());
  return match?.[1] ? Number(match[1]) : undefined;
}

/** How every message names an incident to a person: `#142`. */
export const incidentRef = (incident: Pick<Incident, 'number'>): string => `#${incident.number}`;

export interface Incident {
  id: string;
  /**
   * The short number people read out, type and reply with (`#142`): allotted once intake has
   * decided to open, unique in the deployment and never reused (a crash between allotting and
   * writing leaves a gap, never a repeat).
   */
  number: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  service: string;
  /** The team that owns the service when it opened: every page, reminder and notice goes to its people. */
  team: string;
  dedupKey: string;
  source: AlertSource;
  /**
   * The integration an Events v2 or Alertmanager alert came through: part of its dedup scope
   * (scopedDedupKey). Absent on CloudWatch incidents.
   */
  integration?: string;
  /** One line: what is wrong (the alarm's state reason, the event's summary). */
  summary: string;
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  drill: boolean;
  /** How many alerts (the first included) have arrived for this incident. */
  alertCount: number;
  lastAlertAt: string;
  /** Source-specific context shown in emails and the console: region, metric, runbook. */
  details: Record<string, string>;
  /** What an Events v2 sender attached for responders (links, images, its own name and URL). */
  context?: SenderContext;
  /** An Alertmanager group's incident: the group as its latest notification showed it. */
  alertGroup?: AlertGroup;
  /** The run walking its ladder now, and the episode it belongs to (runs.ts). */
  run: Run;
  /** The delivery that opened it: a redelivery of that one (an SNS retry) is not a repeat. */
  firstDeliveryId?: string;
  /**
   * The sender's time on the alert that opened or last reopened it (absent when the sender gave
   * none): a sender's acknowledge or resolve timed before it belongs to an earlier run.
   */
  triggerSenderTime?: string;
  /**
   * The sender's time on the resolve that ended it (absent while it is open, and when a person or
   * a sender without a time resolved it): a trigger not after it was sent before that resolve.
   */
  resolveSenderTime?: string;
  /** When Klaxon received that resolve, where the alert said (Alert.receivedAt): see staleTrigger. */
  resolveReceivedAt?: string;
  /** When it last reopened (an alert came back within the reopen window after its resolution). */
  reopenedAt?: string;
  /** The responder the incident was handed to (reassign); absent while the rota's primary has it. */
  assignee?: string;
  /** When a ladder step after the first paged someone: the incident escalated (for reports). */
  escalatedAt?: string;
  postmortemDoneAt?: string;
  postmortemDoneBy?: string;
  /** Where the finished post-mortem lives (a wiki page, a document). */
  postmortemUrl?: string;
}

export type TimelineType =
  | 'opened'
  | 'alert'
  | 'severity-defaulted'
  | 'escalation-started'
  | 'escalation-resumed'
  | 'paged'
  | 'page-failed'
  | 'delivery-failed'
  | 'unreachable'
  | 'ack-link-used'
  | 'acknowledged'
  | 'resolved'
  | 'note'
  | 'maintenance'
  | 'reopened'
  | 'severity-changed'
  | 'reassigned'
  | 'taken'
  | 'ladder-replanned'
  | 'postmortem-done'
  | 'reminded'
  | 'resolution-notice'
  | 'sms-reply';

/** How a person acted when it was not through the API, CLI or console: said on the timeline. */
export type ActedVia = 'sms';
const VIA_TEXT: Record<ActedVia, string> = { sms: 'by SMS reply' };

export interface TimelineEntry {
  at: string;
  type: TimelineType;
  /** Who did it: a responder id, or `alarm:<source>` when an alert did it. */
  by?: string;
  message?: string;
  [detail: string]: unknown;
}

export interface IncidentWithTimeline extends Incident {
  timeline: TimelineEntry[];
}

export type TransitionDecision =
  | { kind: 'apply'; from: IncidentStatus[]; changes: Partial<Incident>; entry: TimelineEntry }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'refused'; reason: string };

/** Acknowledging twice is harmless (the first acknowledgement stands); a resolved incident cannot be acknowledged. */
export function decideAcknowledge(incident: Incident, by: string, at: string, via?: ActedVia): TransitionDecision {
  switch (incident.status) {
    case 'open':
      return {
        kind: 'apply',
        from: ['open'],
        changes: { status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: by },
        entry: acknowledgedEntry(by, at, via),
      };
    case 'acknowledged':
      return { kind: 'unchanged', reason: `already acknowledged by ${incident.acknowledgedBy ?? 'someone'}` };
    case 'resolved':
      return { kind: 'refused', reason: `incident #${incident.number} is already resolved; it cannot be acknowledged` };
  }
}

/**
 * Taking: the responder makes the incident theirs and acknowledges it, in one write. An
 * acknowledgement already made stands (who acknowledged first is history); the assignee changes.
 */
export function decideTake(incident: Incident, by: string, name: string, at: string): TransitionDecision {
  if (incident.status === 'resolved') {
    return { kind: 'refused', reason: `incident ${incident.id} is already resolved; there is nothing to take` };
  }
  if (incident.assignee === by && incident.status === 'acknowledged') {
    return { kind: 'unchanged', reason: `already taken by ${by}` };
  }
  const acknowledging = incident.status === 'open';
  return {
    kind: 'apply',
    from: [incident.status],
    changes: {
      assignee: by,
      ...(acknowledging ? { status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: by } : {}),
    },
    entry: {
      at,
      type: 'taken',
      by,
      from: incident.assignee ?? null,
      message: `Taken by ${name} (${by}): assigned to them${acknowledging ? ' and acknowledged' : ''}`,
    },
  };
}

/** Resolves an open or acknowledged incident; resolving a resolved one is refused so a person learns it was already closed. */
export function decideResolve(
  incident: Incident,
  by: string,
  at: string,
  note?: string,
  via?: ActedVia,
): TransitionDecision {
  if (incident.status === 'resolved') {
    return {
      kind: 'refused',
      reason: `incident #${incident.number} was already resolved at ${incident.resolvedAt} by ${incident.resolvedBy}`,
    };
  }
  return {
    kind: 'apply',
    from: ['open', 'acknowledged'],
    changes: { status: 'resolved', resolvedAt: at, resolvedBy: by },
    entry: resolvedEntry(incident, by, at, note, via),
  };
}

/** The timeline entry of an acknowledgement (also rebuilt by a retry that finishes one cut short). */
export const acknowledgedEntry = (by: string, at: string, via?: ActedVia): TimelineEntry => ({
  at,
  type: 'acknowledged',
  by,
  message: `Acknowledged by ${by}${via ? ` ${VIA_TEXT[via]}` : ''}`,
  ...(via ? { via } : {}),
});

/** The timeline entry of a resolution (also rebuilt by a retry that finishes one cut short). */
export function resolvedEntry(
  incident: Pick<Incident, 'openedAt'>,
  by: string,
  at: string,
  note?: string,
  via?: ActedVia,
): TimelineEntry {
  const duration = Math.max(0, Date.parse(at) - Date.parse(incident.openedAt));
  const who = `Resolved by ${by}${via ? ` ${VIA_TEXT[via]}` : ''}`;
  return {
    at,
    type: 'resolved',
    by,
    message: note ? `${who}: ${note}` : who,
    durationSeconds: Math.round(duration / 1000),
    ...(via ? { via } : {}),
  };
}
