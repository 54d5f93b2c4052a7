/**
 * GSM 03.38: the 7-bit alphabet SMS is billed in. A message of at most 160 such characters is
 * one segment; one character outside it switches the whole SMS to UCS-2 (70 per segment).
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** These cost two septets each (an escape plus the character). */
const EXTENDED = '^{}\\[~]|€\f';

const basicSet = new Set(BASIC);
const extendedSet = new Set(EXTENDED);

const LOOKALIKES: Record<string, string> = {
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '–': '-',
  '—': '-',
  '…': '...',
  '•': '*',
  '\t': ' ',
  ' ': ' ',
};

export const SMS_SEGMENT_SEPTETS = 160;
/** Each part of a concatenated SMS gives 7 septets to the header that joins the parts. */
const CONCATENATED_SEGMENT_SEPTETS = 153;
/** An SMS longer than this costs more than it helps: a page spans at most 3 segments. */
export const SMS_MAX_SEGMENTS = 3;

/** The septets that `segments` segments carry. */
export const smsCapacity = (segments: number) =>
  segments <= 1 ? SMS_SEGMENT_SEPTETS : CONCATENATED_SEGMENT_SEPTETS * segments;

/**
 * The segments a carrier bills for `text`: GSM-7 when every character is in it, otherwise UCS-2
 * (70 UTF-16 units in one segment, 67 per part of a longer one).
 */
export function smsSegments(text: string): number {
  const septets = gsm7Length(text);
  if (Number.isFinite(septets))
    return septets <= SMS_SEGMENT_SEPTETS ? 1 : Math.ceil(septets / CONCATENATED_SEGMENT_SEPTETS);
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}

export function gsm7Length(text: string): number {
  let septets = 0;
  for (const char of text) {
    if (basicSet.has(char)) septets += 1;
    else if (extendedSet.has(char)) septets += 2;
    else return Number.POSITIVE_INFINITY;
  }
  return septets;
}

/** Replaces what GSM-7 cannot carry with a look-alike or '?', so an emoji never turns a page into UCS-2. */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    if (basicSet.has(char) || extendedSet.has(char)) out += char;
    else out += LOOKALIKES[char] ?? '?';
  }
  return out;
}

/** Cuts GSM-7 text to at most `limit` septets, ending with '...' when it had to cut. */
export function truncateGsm7(text: string, limit: number): string {
  if (gsm7Length(text) <= limit) return text;
  const ellipsis = '...';
  if (limit < ellipsis.length) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const cost = extendedSet.has(char) ? 2 : 1;
    if (used + cost > limit - ellipsis.length) break;
    out += char;
    used += cost;
  }
  return out.trimEnd() + ellipsis;
}
