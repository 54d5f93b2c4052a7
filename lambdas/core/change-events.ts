/**
 * Change events (PagerDuty's POST /v2/change/enqueue): a deploy, a config push, a flag flipped.
 * They never page anyone; they are kept per service and shown on that service's incidents as
 * "recent changes", the first question of a triage ("what changed?").
 */
import { createHash } from 'node:crypto';
import type { ChangeEventRequest } from '../schemas/events-v2.js';
import { boundedDetails, senderContext } from './alert-sources.js';
import type { KlaxonConfig } from './config.js';
import type { Incident } from './incident.js';

export interface ChangeEvent {
  service: string;
  /** The sender's timestamp, or when Klaxon received it when the sender gave none. */
  at: string;
  receivedAt: string;
  /** Unique among the service's changes at `at`: a sender's retry of the same event keeps it. */
  id: string;
  summary: string;
  source?: string;
  integration: string;
  details: Record<string, string>;
  links?: { href: string; text?: string }[];
}

export interface ChangeEventStore {
  /** Stores a change durably; storing the same change (service, at, id) again changes nothing. */
  recordChange(change: ChangeEvent): Promise<void>;
  /** The service's changes with `from <= at <= to`, newest first, at most `limit`. */
  changesBetween(service: string, from: string, to: string, limit: number): Promise<ChangeEvent[]>;
}

/**
 * Shown on an incident: its service's changes from this long before it opened until it resolved,
 * newest first, at most `limit`, each with at most `detailChars` of details (so that a page of them
 * fits one DynamoDB query answer).
 */
export const RECENT_CHANGES = { beforeOpenedMs: 6 * 3600_000, limit: 20, detailChars: 8 * 1024 } as const;

export function recentChangesWindow(incident: Incident, now: Date): { from: string; to: string } {
  return {
    from: new Date(Date.parse(incident.openedAt) - RECENT_CHANGES.beforeOpenedMs).toISOString(),
    to: incident.resolvedAt ?? now.toISOString(),
  };
}

/**
 * A change belongs to the service its integration key names (`integrationKeys[].service`), else
 * to the default service: PagerDuty files change events under the routing key's service, and a
 * change event carries no group or component to route on.
 */
export function changeServiceFor(config: KlaxonConfig, integration: string): string {
  return config.integrationKeys.find((key) => key.name === integration)?.service ?? config.defaultService;
}

/**
 * The change to store. A change with the sender's timestamp gets an id derived from what it says,
 * so a sender that retries after a lost answer stores it once; without one, `freshId` is used.
 */
export function changeFromEventsV2(
  request: ChangeEventRequest,
  integration: string,
  service: string,
  receivedAt: string,
  freshId: string,
): ChangeEvent {
  const { payload } = request;
  const at = payload.timestamp ?? receivedAt;
  const id = payload.timestamp
    ? createHash('sha256')
        .update(JSON.stringify([integration, payload.timestamp, payload.summary, payload.source ?? '']))
        .digest('hex')
        .slice(0, 26)
    : freshId;
  const links = senderContext({ links: request.links })?.links;
  return {
    service,
    at,
    receivedAt,
    id,
    summary: payload.summary,
    ...(payload.source ? { source: payload.source } : {}),
    integration,
    details: boundedDetails(payload.custom_details ?? {}, RECENT_CHANGES.detailChars),
    ...(links ? { links } : {}),
  };
}

/** The changes an incident shows (RECENT_CHANGES), newest first. */
export function recentChangesFor(store: ChangeEventStore, incident: Incident, now: Date): Promise<ChangeEvent[]> {
  const { from, to } = recentChangesWindow(incident, now);
  return store.changesBetween(incident.service, from, to, RECENT_CHANGES.limit);
}
