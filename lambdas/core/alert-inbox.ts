/**
 * The alert inbox: alerts that arrived together, too many to turn into incidents before the
 * sender's timeout (an Alertmanager group of 5,000 alerts with one incident per alert), are
 * stored first, in chunks well under DynamoDB's 400 KB item limit, and the sender is answered;
 * each chunk is then received on its own (an asynchronous invocation per chunk on AWS, a background
 * call locally). A chunk is deleted only after every alert in it was received, and receiving is
 * idempotent by delivery id, so a crash part-way is finished by the retry without doing anything twice.
 */
import type { Alert } from './alert.js';
import { type IntakeDeps, receiveAlert } from './intake.js';
import type { InboxChunkRef, RedriveInboxRequest } from './intake-invocations.js';

export interface InboxChunk extends InboxChunkRef {
  /** How many chunks the delivery was stored in. */
  of: number;
  storedAt: string;
  alerts: Alert[];
}

/** A chunk stored and not yet received, as the pending list names it. */
export interface PendingInboxChunk extends InboxChunkRef {
  storedAt: string;
}

export interface AlertInboxStore {
  /** Writes the chunk (the same delivery's chunk again is the same content: overwritten). */
  put(chunk: InboxChunk): Promise<void>;
  get(ref: InboxChunkRef): Promise<InboxChunk | undefined>;
  /**
   * Replaces the chunk's alerts with `alerts` (the ones still to receive), only while the chunk
   * exists: a chunk deleted meanwhile (received by a concurrent attempt) is not brought back.
   */
  keepOnly(ref: InboxChunkRef, alerts: Alert[]): Promise<void>;
  /** Deletes the chunk and its entry in `pending` (either may be gone already). */
  delete(ref: InboxChunkRef): Promise<void>;
  /**
   * Every chunk stored and not yet deleted, from a list kept beside them (a Query, never a Scan):
   * what a redrive dispatches again (`redriveInbox`).
   */
  pending(): Promise<PendingInboxChunk[]>;
}

/** Has a stored chunk received later, with retries, and makes a failure after the last retry loud. */
export interface AlertInboxDispatcher {
  /** Resolves once the work is durably queued (never after the work itself). */
  dispatch(ref: InboxChunkRef): Promise<void>;
}

export interface AlertInboxDeps {
  inbox: AlertInboxStore;
  inboxDispatcher: AlertInboxDispatcher;
}

/**
 * Per chunk: well under DynamoDB's 400 KB item, and few enough alerts to receive well within the
 * intake function's 10 s timeout (about 100 ms each on AWS, 8 at a time).
 */
export const INBOX_CHUNK_LIMITS = { maxBytes: 300 * 1024, maxAlerts: 100 };
/** Alerts of one chunk received at once: a chunk's alerts are distinct problems, their writes independent. */
const RECEIVE_CONCURRENCY = 8;

/** One alert too large for a chunk: refused before anything of its delivery is stored. */
export class InboxAlertTooLargeError extends Error {
  override readonly name = 'InboxAlertTooLargeError';
  constructor(
    readonly dedupKey: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `The alert ${dedupKey} is ${bytes} bytes once stored, over the inbox's limit of ${maxBytes} bytes for one alert; nothing of its delivery was stored`,
    );
  }
}

/** Splits alerts into chunks by serialized size and count, in order; no chunk is empty. */
export function chunkAlerts(alerts: Alert[], limits = INBOX_CHUNK_LIMITS): Alert[][] {
  const chunks: Alert[][] = [];
  let current: Alert[] = [];
  let bytes = 0;
  for (const alert of alerts) {
    const size = Buffer.byteLength(JSON.stringify(alert));
    if (size > limits.maxBytes) throw new InboxAlertTooLargeError(alert.dedupKey, size, limits.maxBytes);
    if (current.length > 0 && (bytes + size > limits.maxBytes || current.length >= limits.maxAlerts)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(alert);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Stores every chunk, then dispatches each: the sender may be answered once this resolves. */
export async function storeInInbox(
  deps: AlertInboxDeps & Pick<IntakeDeps, 'clock'>,
  inbox: string,
  alerts: Alert[],
): Promise<InboxChunkRef[]> {
  const storedAt = deps.clock.now().toISOString();
  const chunks = chunkAlerts(alerts).map((chunkAlerts, chunk, all) => ({
    inbox,
    chunk,
    of: all.length,
    storedAt,
    alerts: chunkAlerts,
  }));
  await Promise.all(chunks.map((chunk) => deps.inbox.put(chunk)));
  const refs = chunks.map(({ inbox: id, chunk }) => ({ inbox: id, chunk }));
  await Promise.all(refs.map((ref) => deps.inboxDispatcher.dispatch(ref)));
  return refs;
}

export interface DrainResult {
  /** Alerts received from the chunk; 0 when it was gone already (received by an earlier attempt). */
  received: number;
  opened: number;
}

/**
 * Receives every alert of a chunk, then deletes it. Any alert that fails fails the whole call
 * (after the others were tried); the chunk is first rewritten with only the alerts that failed,
 * so the retry (or a redrive) receives those alone. Should that rewrite fail, the retry receives
 * the whole chunk again: the alerts received already are redeliveries then, and change nothing.
 */
export async function drainInboxChunk(deps: IntakeDeps & AlertInboxDeps, ref: InboxChunkRef): Promise<DrainResult> {
  const chunk = await deps.inbox.get(ref);
  if (!chunk) {
    // Received already; a crash may have left its entry in the pending list.
    await deps.inbox.delete(ref);
    return { received: 0, opened: 0 };
  }
  let next = 0;
  let opened = 0;
  const failures: unknown[] = [];
  const failed: Alert[] = [];
  const worker = async () => {
    for (let alert = chunk.alerts[next++]; alert; alert = chunk.alerts[next++]) {
      try {
        const result = await receiveAlert(deps, alert);
        if (result.outcome === 'opened') opened++;
      } catch (error) {
        failures.push(error);
        failed.push(alert);
      }
    }
  };
  await Promise.all(Array.from({ length: RECEIVE_CONCURRENCY }, worker));
  if (failures.length > 0) {
    // In the chunk's order, so a rewrite by a concurrent attempt with the same failures is the same item.
    const order = new Map(chunk.alerts.map((alert, index) => [alert, index]));
    failed.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    if (failed.length < chunk.alerts.length) await deps.inbox.keepOnly(ref, failed);
    throw new AggregateError(
      failures,
      `${failures.length} of ${chunk.alerts.length} alert(s) of inbox ${ref.inbox} chunk ${ref.chunk} failed; the chunk keeps them for the retry`,
    );
  }
  await deps.inbox.delete(ref);
  return { received: chunk.alerts.length, opened };
}

export interface RedriveResult {
  /** Chunks dispatched again. */
  dispatched: number;
  /** Chunks left alone because they are younger than `olderThanMinutes`. */
  skipped: number;
}

/**
 * Dispatches every chunk still stored (optionally only those older than N minutes) to be received
 * again: after a chunk failed all its retries and was dead-lettered, and locally at start, since
 * the local queue of invocations lives in memory. Receiving is idempotent, so a chunk that was
 * still under way is received twice at worst, without doing anything twice.
 */
export async function redriveInbox(
  deps: AlertInboxDeps & Pick<IntakeDeps, 'clock'>,
  request: RedriveInboxRequest = {},
): Promise<RedriveResult> {
  const pending = await deps.inbox.pending();
  const { olderThanMinutes } = request;
  const cutoff = deps.clock.now().getTime() - (olderThanMinutes ?? 0) * 60_000;
  const due =
    olderThanMinutes === undefined ? pending : pending.filter((entry) => Date.parse(entry.storedAt) <= cutoff);
  for (const { inbox, chunk } of due) await deps.inboxDispatcher.dispatch({ inbox, chunk });
  return { dispatched: due.length, skipped: pending.length - due.length };
}
