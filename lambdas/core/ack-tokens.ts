/**
 * Signed acknowledge links: `<base>/v1/ack/<token>`. A token names one incident run and one
 * responder, expires, and is HMAC-signed with a key only Klaxon holds. It must fit in an SMS
 * beside the alert (one 160-septet segment), so it is binary and compact, not JSON:
 *
 *   kind (1 byte: 3 = ULID incident id as 16 bytes, 4 = other id as length + UTF-8)
 *   incident id · run (unsigned LEB128: one byte below 128)
 *   responder (first 3 bytes of SHA-256 of the responder id)
 *   expiry (3 bytes: minutes after 2026-01-01T00:00Z, good for 31 years)
 *   signature (first 8 bytes of HMAC-SHA256 over all of the above)
 *
 * base64url of that is 43 characters for a ULID id below run 128. 64 signature bits are plenty
 * here: a guess must be checked online, one request at a time, and the token dies after one use
 * or 24 hours. Single use is decided and recorded by ack-links.ts, under the `useKey` that
 * verifyAckToken returns (one per signature), which is why the run is in the token: without it a
 * reopened incident paged in the minute of its first page would get the link already used on the
 * first run, refused as used. Any other kind byte is refused as damaged.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { KlaxonConfig, Responder } from './config.js';

export const ACK_TOKEN_TTL_SECONDS = 24 * 60 * 60;
const EPOCH_MS = Date.UTC(2026, 0, 1);
const SIGNATURE_BYTES = 8;
const RESPONDER_BYTES = 3;
const EXPIRY_BYTES = 3;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const DOMAIN = 'klaxon-ack-link-v1';

export interface AckClaims {
  incidentId: string;
  /** The ladder run whose page carried the link. */
  run: number;
  responderId: string;
  expiresAt: Date;
}

export type AckTokenCheck =
  | { valid: true; claims: AckClaims; useKey: string }
  | { valid: false; reason: 'forged' | 'expired'; message: string };

function responderTag(responderId: string): Buffer {
  return createHash('sha256').update(responderId).digest().subarray(0, RESPONDER_BYTES);
}

/** The first byte: the incident id as a ULID's 128 bits, or as text; the run follows the id. */
const ULID_KIND = 3;
const TEXT_KIND = 4;

function encodeIncidentId(id: string): Buffer {
  if (ULID.test(id)) {
    let value = 0n;
    for (const char of id) value = (value << 5n) | BigInt(CROCKFORD.indexOf(char));
    const bytes = Buffer.alloc(17);
    bytes[0] = ULID_KIND;
    for (let i = 16; i >= 1; i--) {
      bytes[i] = Number(value & 0xffn);
      value >>= 8n;
    }
    return bytes;
  }
  const text = Buffer.from(id, 'utf8');
  if (text.length > 255) throw new Error(`Incident id too long for an ack link: ${id}`);
  return Buffer.concat([Buffer.from([TEXT_KIND, text.length]), text]);
}

/** Returns the id and how many bytes it took; undefined when the bytes make no id. */
function decodeIncidentId(bytes: Buffer): { id: string; length: number } | undefined {
  const kind = bytes[0];
  if (kind === ULID_KIND && bytes.length >= 17) {
    let value = 0n;
    for (let i = 1; i <= 16; i++) value = (value << 8n) | BigInt(bytes[i] ?? 0);
    let id = '';
    for (let i = 0; i < 26; i++) {
      id = (CROCKFORD[Number(value & 31n)] ?? '0') + id;
      value >>= 5n;
    }
    return { id, length: 17 };
  }
  const length = bytes[1];
  if (kind === TEXT_KIND && length !== undefined && bytes.length >= 2 + length) {
    return { id: bytes.subarray(2, 2 + length).toString('utf8'), length: 2 + length };
  }
  return undefined;
}

function encodeRun(run: number): Buffer {
  if (!Number.isSafeInteger(run) || run < 0) throw new Error(`Not a ladder run: ${run}`);
  const bytes: number[] = [];
  let rest = run;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** The run and its byte count; undefined when it does not end, or is spelled longer than encodeRun spells it. */
function decodeRun(bytes: Buffer): { run: number; length: number } | undefined {
  let run = 0;
  // Seven bytes hold any safe integer's worth of runs, far past any incident's.
  for (let i = 0; i < Math.min(bytes.length, 7); i++) {
    const byte = bytes[i] ?? 0;
    run += (byte & 0x7f) * 128 ** i;
    if (byte < 0x80) return byte === 0 && i > 0 ? undefined : { run, length: i + 1 };
  }
  return undefined;
}

const sign = (key: Buffer, payload: Buffer) =>
  createHmac('sha256', key).update(DOMAIN).update(payload).digest().subarray(0, SIGNATURE_BYTES);

export function signAckToken(
  key: Buffer,
  claims: { incidentId: string; run: number; responderId: string },
  now: Date,
): string {
  const expiryMinutes = Math.ceil((now.getTime() + ACK_TOKEN_TTL_SECONDS * 1000 - EPOCH_MS) / 60_000);
  const expiry = Buffer.alloc(EXPIRY_BYTES);
  expiry.writeUIntBE(Math.max(0, Math.min(expiryMinutes, 2 ** 24 - 1)), 0, EXPIRY_BYTES);
  const payload = Buffer.concat([
    encodeIncidentId(claims.incidentId),
    encodeRun(claims.run),
    responderTag(claims.responderId),
    expiry,
  ]);
  return Buffer.concat([payload, sign(key, payload)]).toString('base64url');
}

export function verifyAckToken(key: Buffer, token: string, now: Date, config: KlaxonConfig): AckTokenCheck {
  const forged = (message: string): AckTokenCheck => ({ valid: false, reason: 'forged', message });
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token))
    return forged('This link is damaged: it is not a Klaxon acknowledge link.');
  const bytes = Buffer.from(token, 'base64url');
  // Only the one spelling signAckToken makes: base64url has spare bits a forger could flip.
  if (bytes.toString('base64url') !== token)
    return forged('This link is damaged: it is not a Klaxon acknowledge link.');
  if (bytes.length <= SIGNATURE_BYTES) return forged('This link is damaged: it is too short.');
  const payload = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const signature = bytes.subarray(bytes.length - SIGNATURE_BYTES);
  if (!timingSafeEqual(signature, sign(key, payload))) {
    return forged('This link was not signed by Klaxon (forged or altered); nothing was acknowledged.');
  }
  const damaged = forged('This link is damaged; nothing was acknowledged.');
  const incident = decodeIncidentId(payload);
  if (!incident) return damaged;
  const run = decodeRun(payload.subarray(incident.length));
  if (!run) return damaged;
  const at = incident.length + run.length;
  if (payload.length !== at + RESPONDER_BYTES + EXPIRY_BYTES) return damaged;
  const tag = payload.subarray(at, at + RESPONDER_BYTES);
  const responder: Responder | undefined = config.responders.find((r) => responderTag(r.id).equals(tag));
  if (!responder) return forged('This link names a responder Klaxon no longer knows; nothing was acknowledged.');
  const expiresAt = new Date(EPOCH_MS + payload.readUIntBE(at + RESPONDER_BYTES, EXPIRY_BYTES) * 60_000);
  if (now.getTime() >= expiresAt.getTime()) {
    return {
      valid: false,
      reason: 'expired',
      message: `This link expired at ${expiresAt.toISOString()}; acknowledge with the CLI or the console instead.`,
    };
  }
  return {
    valid: true,
    claims: { incidentId: incident.id, run: run.run, responderId: responder.id, expiresAt },
    useKey: `ack-link#${signature.toString('base64url')}`,
  };
}

/** The link a page carries for this responder. */
export function ackLink(apiBaseUrl: string, token: string): string {
  return `${apiBaseUrl}/v1/ack/${token}`;
}
