/**
 * The times senders put on alerts, in the forms they write them: ISO 8601 date-times with `Z`,
 * `+00:00` or PagerDuty's and CloudWatch's `+0000`, with or without fractional seconds. Stored
 * as `Date.toISOString()`, the one form the rest of Klaxon compares as text.
 */

/** What a person is told when a sender's timestamp is none of the accepted forms. */
export const TIMESTAMP_FORMS =
  'an ISO 8601 date-time such as 2015-07-17T08:42:58.315+0000, 2015-07-17T08:42:58+00:00 or 2015-07-17T08:42:58Z';

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * The instant `text` names, as ISO 8601 in UTC, or undefined when it is not a date-time. A time
 * without a zone is read as UTC: PagerDuty's format says nothing of it, and refusing the event
 * would lose a page over a detail.
 */
export function parseSenderTimestamp(text: string): string | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '0', , sign, offsetHours, offsetMinutes] =
    match.map((part) => part ?? undefined);
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return undefined;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes ?? '0')) : 0;
  if (Math.abs(offset) > 18 * 60) return undefined;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const at = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds) - offset * 60_000;
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
