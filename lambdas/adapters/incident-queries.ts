/**
 * Pieces of the incident queries that are plain data: the filter a status listing adds to its
 * index query, the cursor that continues it, and the opened-month partitions a time range covers.
 */
import type { IncidentStatus } from '../core/incident.js';
import { type IncidentListFilter, InvalidCursorError } from '../core/ports.js';

export interface NarrowedQuery {
  /** Appended to the key condition: a range on the index sort key "<openedAt>#<id>". */
  keyCondition: string;
  filter?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The time range narrows the index key itself; severity, service and team filter the items read. */
export function listFilterExpression(filter: IncidentListFilter): NarrowedQuery {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let keyCondition = '';
  if (filter.from !== undefined || filter.to !== undefined) {
    names['#sk'] = 'gsi1sk';
    // The sort key is "<openedAt>#<id>", so "<to>#<id>" sorts after "<to>": BETWEEN keeps [from, to).
    // DynamoDB refuses empty key values: an open end is a bound every timestamp passes.
    values[':from'] = filter.from ?? '0000';
    values[':to'] = filter.to ?? '9999';
    keyCondition = ' AND #sk BETWEEN :from AND :to';
  }
  const filters: string[] = [];
  if (filter.severity !== undefined) {
    names['#severity'] = 'severity';
    values[':severity'] = filter.severity;
    filters.push('#severity = :severity');
  }
  if (filter.service !== undefined) {
    names['#service'] = 'service';
    values[':service'] = filter.service;
    filters.push('#service = :service');
  }
  if (filter.team !== undefined) {
    names['#team'] = 'team';
    values[':team'] = filter.team;
    filters.push('#team = :team');
  }
  return { keyCondition, filter: filters.length > 0 ? filters.join(' AND ') : undefined, names, values };
}

/**
 * A listing's cursor carries the query it continues beside DynamoDB's LastEvaluatedKey. A key
 * sent with another status or range is refused by DynamoDB (ValidationException, which would be a
 * 503 "retry it") and with another severity or service silently skips items; binding the cursor
 * to its query answers both with a 400 the caller can act on.
 */
interface ListCursor {
  q: (string | null)[];
  k: Record<string, unknown>;
}

const listingOf = (status: IncidentStatus, filter: IncidentListFilter) => [
  status,
  filter.severity ?? null,
  filter.service ?? null,
  filter.team ?? null,
  filter.from ?? null,
  filter.to ?? null,
];

export function encodeListCursor(
  status: IncidentStatus,
  filter: IncidentListFilter,
  key: Record<string, unknown> | undefined,
): string | undefined {
  if (!key) return undefined;
  const cursor: ListCursor = { q: listingOf(status, filter), k: key };
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The ExclusiveStartKey to continue this listing from, or InvalidCursorError. */
export function decodeListCursor(
  status: IncidentStatus,
  filter: IncidentListFilter,
  cursor: string | undefined,
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!isListCursor(decoded)) {
    throw new InvalidCursorError('The cursor is not one this API issued; start again without it');
  }
  if (JSON.stringify(decoded.q) !== JSON.stringify(listingOf(status, filter))) {
    throw new InvalidCursorError(
      'This cursor belongs to another query (another status, filter or time range); start again without it, or repeat the query it came from',
    );
  }
  return decoded.k;
}

function isListCursor(value: unknown): value is ListCursor {
  if (typeof value !== 'object' || value === null) return false;
  const { q, k } = value as Partial<ListCursor>;
  return (
    Array.isArray(q) &&
    q.every((part) => part === null || typeof part === 'string') &&
    typeof k === 'object' &&
    k !== null &&
    !Array.isArray(k) &&
    Object.values(k).every((part) => typeof part === 'string')
  );
}

/** "2026-10-15T…" to "2026-12-01T…" → ["2026-10", "2026-11"] (the end is exclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const start = new Date(from);
  const end = new Date(to);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end) return [];
  const months: string[] = [];
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  while (cursor < end) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}
