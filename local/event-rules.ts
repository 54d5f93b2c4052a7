/**
 * The EventBridge stand-in: an event posted to `/_local/events` goes to every rule target whose
 * pattern matches, as EventBridge would deliver it.
 */
export type EventPattern = { [field: string]: readonly unknown[] | EventPattern };

/** The subset of EventBridge pattern matching Klaxon's rules use: exact values, nested fields. */
export function matchesPattern(event: unknown, pattern: EventPattern): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = record[field];
    if (Array.isArray(expected)) {
      return Array.isArray(actual) ? actual.some((value) => expected.includes(value)) : expected.includes(actual);
    }
    return matchesPattern(actual, expected as EventPattern);
  });
}
