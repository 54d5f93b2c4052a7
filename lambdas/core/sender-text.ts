/**
 * Text that came from an alert's sender (titles, summaries, details), made fit to sit inside
 * Klaxon's own messages: bounded, free of characters that break or reorder lines, and unable to
 * start a line of its own, so that nothing a sender writes can pass for Klaxon's instructions.
 */

/** Every kind of line break: CRLF, LF, CR, VT, FF, NEL, and Unicode's line and paragraph separators. */
const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/gu;
/**
 * Controls (C0, C1, DEL) and invisible format characters (bidi overrides and isolates, direction
 * marks, zero-width spaces): they hide or reorder what a person reads. The zero-width joiner stays,
 * emoji sequences need it.
 */
const INVISIBLE = /(?!\u200d)[\p{Cc}\p{Cf}]/gu;
/** A surrogate without its pair is not text: it would reach SNS as an escape or a decoding error. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

const clean = (text: string) => text.replace(LONE_SURROGATE, '\ufffd').replace(/\t/g, ' ').replace(INVISIBLE, '');

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair, saying how much was cut. */
export function cutText(text: string, max: number, mark: (cut: number) => string = () => '…'): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - mark(text.length - max).length);
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1] ?? '')) end -= 1;
  return `${text.slice(0, end).trimEnd()}${mark(text.length - end)}`;
}

/** One line, at most `max` characters: line breaks become spaces, invisible characters go. */
export function oneLine(text: string, max: number): string {
  const flat = clean(text.replace(LINE_BREAK, ' ')).replace(/ {2,}/g, ' ').trim();
  return cutText(flat, max);
}

/** The lines of a multi-line value, each cleaned, the whole at most `max` characters. */
export function senderLines(text: string, max: number): string[] {
  const cut = cutText(text.trim(), max, (more) => ` … (${more} more characters)`);
  return cut.split(LINE_BREAK).map((line) => clean(line).trimEnd());
}

const ascii = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '?');

/**
 * An email subject as SNS takes it: printable ASCII (accents dropped, anything else '?'), one
 * line, under 100 characters. `tail` (Klaxon's, such as the incident id) is kept whole; `text`
 * gives way.
 */
export function subjectLine(text: string, tail = ''): string {
  const end = ascii(tail);
  const head = ascii(oneLine(text, 400));
  const room = 99 - end.length;
  return `${head.length > room ? `${head.slice(0, room - 3).trimEnd()}...` : head}${end}`;
}
