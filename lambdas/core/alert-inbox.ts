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

export interface InboxChunk extends InboxChunkRef {
  /** How many chunks the delivery was stored in. */
  of: number;
  storedAt: string;
  alerts: Alert[];
}

export interface AlertInboxStore {
  /** Writes the chunk (the same delivery's chunk again is the same content: overwritten). */
  put(chunk: InboxChunk): Promise<void>;
  get(ref: InboxChunkRef): Promise<InboxChunk | undefined>;
  /** Deletes the chunk and its entry in `pending` (either may be gone already). */
  delete(ref: InboxChunkRef): Promise<void>;
  /**
   * Every chunk stored and not yet deleted, from a list kept beside them (a Query, never a Scan):
   * the local runtime dispatches them again at start, since its queue of invocations is in memory.
   */
  pending(): Promise<InboxChunkRef[]>;
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

/** Splits alerts into chunks by serialized size and count, in order; no chunk is empty. */
export function chunkAlerts(alerts: Alert[], limits = INBOX_CHUNK_LIMITS): Alert[][] {
  const chunks: Alert[][] = [];
  let current: Alert[] = [];
  let bytes = 0;
  for (const alert of alerts) {
    const size = Buffer.byteLength(JSON.stringify(alert));
    if (size > limits.maxBytes) throw new Error(`An alert of ${size} bytes cannot be stored in the inbox`);
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
 * (after the others were tried), so the retry receives it again; the ones received already are
 * redeliveries then, and change nothing.
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
  const worker = async () => {
    for (let alert = chunk.alerts[next++]; alert; alert = chunk.alerts[next++]) {
      try {
        const result = await receiveAlert(deps, alert);
        if (result.outcome === 'opened') opened++;
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: RECEIVE_CONCURRENCY }, worker));
  if (failures.length > 0) {
    throw new AggregateError(
      failures,
      `${failures.length} of ${chunk.alerts.length} alert(s) of inbox ${ref.inbox} chunk ${ref.chunk} failed; the chunk is kept for the retry`,
    );
  }
  await deps.inbox.delete(ref);
  return { received: chunk.alerts.length, opened };
}
