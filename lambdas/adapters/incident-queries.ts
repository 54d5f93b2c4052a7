/**
 * Pieces of the incident queries that are plain data: the filter a status listing adds to its
 * index query, and the opened-month partitions a time range covers.
 */
import type { IncidentListFilter } from '../core/ports.js';

export interface NarrowedQuery {
  /** Appended to the key condition: a range on the index sort key "<openedAt>#<id>". */
  keyCondition: string;
  filter?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The time range narrows the index key itself; severity and service filter the items read. */
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
  return { keyCondition, filter: filters.length > 0 ? filters.join(' AND ') : undefined, names, values };
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
