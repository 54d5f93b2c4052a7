/**
 * Incident lifecycle events for the EventBridge bus: other tools (chat, status pages, ticketing)
 * subscribe to these. `version` lets consumers accept the shape they know.
 */
import type { Incident } from './incident.js';
import { cutText } from './sender-text.js';

export const LIFECYCLE_EVENT_SOURCE = 'klaxon';
export const LIFECYCLE_EVENT_VERSION = '1';
/** The incident has the whole title; an event names it. */
export const LIFECYCLE_TITLE_CHARS = 1_000;

export const LIFECYCLE_DETAIL_TYPES = {
  opened: 'Incident Opened',
  acknowledged: 'Incident Acknowledged',
  paged: 'Responder Paged',
  escalated: 'Incident Escalated',
  reminded: 'Incident Reminded',
  resolved: 'Incident Resolved',
  reopened: 'Incident Reopened',
} as const;
export type LifecycleKind = keyof typeof LIFECYCLE_DETAIL_TYPES;

export interface LifecycleEvent {
  detailType: (typeof LIFECYCLE_DETAIL_TYPES)[LifecycleKind];
  detail: {
    version: string;
    kind: LifecycleKind;
    at: string;
    incident: Pick<
      Incident,
      | 'id'
      | 'number'
      | 'title'
      | 'severity'
      | 'status'
      | 'service'
      | 'team'
      | 'dedupKey'
      | 'openedAt'
      | 'drill'
      | 'acknowledgedBy'
      | 'resolvedBy'
    >;
    [extra: string]: unknown;
  };
}

export function lifecycleEvent(
  kind: LifecycleKind,
  incident: Incident,
  at: string,
  extra: Record<string, unknown> = {},
): LifecycleEvent {
  const { id, number, severity, status, service, team, dedupKey, openedAt, drill, acknowledgedBy, resolvedBy } =
    incident;
  // The title is the sender's and has no bound of its own; cut, it keeps an event far below EventBridge's 256 KB.
  const title = cutText(incident.title, LIFECYCLE_TITLE_CHARS);
  return {
    detailType: LIFECYCLE_DETAIL_TYPES[kind],
    detail: {
      ...extra,
      version: LIFECYCLE_EVENT_VERSION,
      kind,
      at,
      // Who acknowledged and who resolved, while the incident says so: a chat channel names them.
      incident: {
        id,
        number,
        title,
        severity,
        status,
        service,
        // The team whose people are paged: a rule or a chat channel can follow one team's incidents.
        team,
        dedupKey,
        openedAt,
        drill,
        ...(acknowledgedBy ? { acknowledgedBy } : {}),
        ...(resolvedBy && status === 'resolved' ? { resolvedBy } : {}),
      },
    },
  };
}
