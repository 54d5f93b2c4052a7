/**
 * What the intake function is invoked with besides an HTTP request or an alarm event: a chunk of
 * its alert inbox, an operator's inbox redrive, a schedule's work. The function tells them apart
 * on every request (handlers/intake.ts), and loads the code that does each kind of work only when
 * one arrives, so this module imports nothing.
 */

export interface InboxChunkRef {
  /** Names the delivery the alerts came in: storing the same delivery again rewrites the same chunks. */
  inbox: string;
  chunk: number;
}

/** What the intake function is invoked with to receive one chunk: only its key, never the alerts. */
export interface InboxEvent extends InboxChunkRef {
  source: 'klaxon.alert-inbox';
}

export const inboxEvent = (ref: InboxChunkRef): InboxEvent => ({ source: 'klaxon.alert-inbox', ...ref });

export const isInboxEvent = (event: unknown): event is InboxEvent =>
  typeof event === 'object' &&
  event !== null &&
  (event as Partial<InboxEvent>).source === 'klaxon.alert-inbox' &&
  typeof (event as Partial<InboxEvent>).inbox === 'string' &&
  Number.isInteger((event as Partial<InboxEvent>).chunk);

export interface RedriveInboxRequest {
  /** Only chunks stored at least this long ago: younger ones may still be under way. */
  olderThanMinutes?: number;
}

/** What the intake function is invoked with by an operator to redrive the inbox. */
export interface RedriveInboxEvent extends RedriveInboxRequest {
  klaxon: 'redrive-inbox';
}

/**
 * An event that claims to be a redrive (`klaxon: "redrive-inbox"`) and is not well formed is an
 * operator's typo: refused with what to send, rather than read as an alarm event.
 */
export function parseRedriveInboxEvent(event: unknown): RedriveInboxEvent | undefined {
  if (typeof event !== 'object' || event === null || !('klaxon' in event)) return undefined;
  const { klaxon, olderThanMinutes, ...rest } = event as Record<string, unknown>;
  const usage =
    'Invoke the intake function with {"klaxon":"redrive-inbox"} or {"klaxon":"redrive-inbox","olderThanMinutes":N} (N a whole number of minutes, 0 or more)';
  if (klaxon !== 'redrive-inbox') throw new Error(`Unknown Klaxon operation ${JSON.stringify(klaxon)}. ${usage}`);
  if (Object.keys(rest).length > 0) throw new Error(`Unknown field(s) ${Object.keys(rest).join(', ')}. ${usage}`);
  if (olderThanMinutes === undefined) return { klaxon };
  if (typeof olderThanMinutes !== 'number' || !Number.isInteger(olderThanMinutes) || olderThanMinutes < 0) {
    throw new Error(`olderThanMinutes ${JSON.stringify(olderThanMinutes)} is not a whole number of minutes. ${usage}`);
  }
  return { klaxon, olderThanMinutes };
}

/** The `klaxon` field of a heartbeat monitor's schedule payload (core/heartbeats.ts). */
export const HEARTBEAT_DEADLINE = 'heartbeat-deadline';
/** The `klaxon` field of a maintenance window's end schedule payload (core/maintenance.ts). */
export const MAINTENANCE_ENDED = 'maintenance-ended';

const SCHEDULED_WORK = new Set<string>([HEARTBEAT_DEADLINE, MAINTENANCE_ENDED]);

/** A payload one of our schedules sends: `{"klaxon": <kind>, …}`. */
export const isScheduledWork = (event: unknown): event is { klaxon: string } =>
  typeof event === 'object' && event !== null && SCHEDULED_WORK.has(String((event as { klaxon?: unknown }).klaxon));
