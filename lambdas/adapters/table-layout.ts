/**
 * The single-table layout, named once: CDK creates the table from these names, the local
 * runtime creates the same table in dynalite, the store adapter and the ASL's GetItem use them.
 *
 *   pk                  sk                 what
 *   INCIDENT#<id>       INCIDENT           the incident (gsi1pk = STATUS#<status>, gsi1sk = <openedAt>#<id>;
 *                                          gsi2pk = OPENED#<yyyy-mm>, gsi2sk = <openedAt>#<id>)
 *   INCIDENT#<id>       TIMELINE#<key>     one timeline entry; <key> makes retried writes idempotent
 *   DEDUP#<scoped key>  DEDUP              which incident an alert's dedup key points at while it is open
 *                                          (scopedDedupKey: source:key, or source@integration:key)
 *   MAINTENANCE#<svc>   MAINTENANCE        the service's maintenance window (one per service)
 *   NOTICE#<kind>       <at>#<id>          a notice about a sender (an SNS topic unsubscribed us), newest last
 *   LATEST#<scoped key> LATEST             the latest incident a dedup key opened (kept after resolve, for reopening)
 *   HANDOFF#<key>       HANDOFF            an on-call handoff notification claimed (sent once), kept 30 days
 *   OVERRIDE            <id>               an override made at run time (core/overrides.ts), kept a day past its end
 *   DELIVERY#<id>       DELIVERY           a sender's delivery processed (it never acts again), kept 7 days
 *   CHANGES#<service>   <at>#<id>          a change event of the service (read newest first), kept 90 days
 *   INBOX#<id>#<n>      INBOX              chunk n of alerts, kept until they are received (core/alert-inbox.ts),
 *                                          deleted once received; one partition per chunk spreads a large delivery
 *   INBOX-PENDING       <id>#<n>           a small entry per stored chunk, deleted after it: what is pending, by Query
 *   HEARTBEATS          <name>             a heartbeat monitor added through the API (listed by Query)
 *   HEARTBEAT#<name>    HEARTBEAT          a heartbeat monitor's last ping, its schedule's time, a missed deadline
 *   COUNTER#incident    COUNTER            the last incident number allotted (UpdateItem ADD: atomic, never reused)
 *   NUMBER#<n>          NUMBER             which incident has short number n (written beside the incident)
 *   SMS#<message id>    SMS                an inbound SMS reply handled (SNS redelivers; it never acts twice), kept 7 days
 *
 * Every key below goes through boundedKey (pk and sk below): senders choose much of what
 * goes into them (dedup keys, delivery ids, services), and DynamoDB refuses a partition key over
 * 2,048 bytes or a sort key over 1,024 with a ValidationException, which would answer 5xx to every
 * retry of that alert.
 */
import { createHash } from 'node:crypto';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const STATUS_INDEX = { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;
/** Incidents by the month they opened, oldest first: reports read a time range from it. */
export const OPENED_INDEX = { name: 'byOpenedMonth', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;
/** Every global secondary index: the local table and the CDK table are both built from this list. */
export const GLOBAL_INDEXES = [STATUS_INDEX, OPENED_INDEX] as const;
export const TTL_ATTRIBUTE = 'expiresAt';

/** DynamoDB's size limits of one key attribute, in UTF-8 bytes (tables and global secondary indexes alike). */
export const KEY_BYTES = { partitionKey: 2048, sortKey: 1024 } as const;

const HASHED = '~sha256:';
const DIGEST_BYTES = HASHED.length + 64;

/**
 * `text` itself when it fits `maxBytes`; otherwise as much of its start as fits, then `~sha256:`
 * and the SHA-256 of the whole text. Short keys stay readable in the console; long ones keep
 * their prefix, so `begins_with` queries on a short prefix still find them. A text that already
 * holds the marker is hashed too, so no sender can write the bounded form of another's key.
 */
export function boundedKey(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes && !text.includes(HASHED)) return text;
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  let prefix = '';
  let bytes = 0;
  // By code point, so a character is never cut in half.
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes - DIGEST_BYTES) break;
    prefix += char;
    bytes += size;
  }
  return `${prefix}${HASHED}${digest}`;
}

const pk = (text: string) => boundedKey(text, KEY_BYTES.partitionKey);
const sk = (text: string) => boundedKey(text, KEY_BYTES.sortKey);

// Incident ids are generated (ULIDs), so the ASL's own `INCIDENT#<id>` equals incidentKey's.
export const incidentKey = (id: string) => ({ pk: pk(`INCIDENT#${id}`), sk: 'INCIDENT' });
export const timelineKey = (id: string, entryKey: string) => ({
  pk: pk(`INCIDENT#${id}`),
  sk: sk(`TIMELINE#${entryKey}`),
});
export const dedupKey = (scopedKey: string) => ({ pk: pk(`DEDUP#${scopedKey}`), sk: 'DEDUP' });
export const maintenanceKey = (service: string) => ({ pk: pk(`MAINTENANCE#${service}`), sk: 'MAINTENANCE' });
export const OVERRIDES_PARTITION = 'OVERRIDE';
// Override ids are generated (ULIDs): short, and never chosen by a caller.
export const overrideKey = (id: string) => ({ pk: OVERRIDES_PARTITION, sk: id });
export const handoffKey = (key: string) => ({ pk: pk(`HANDOFF#${key}`), sk: 'HANDOFF' });
export const inboxKey = (inbox: string, chunk: number) => ({ pk: pk(`INBOX#${inbox}#${chunk}`), sk: 'INBOX' });
export const inboxPendingKey = (inbox: string, chunk: number) => ({ pk: 'INBOX-PENDING', sk: sk(`${inbox}#${chunk}`) });
export const incidentCounterKey = { pk: 'COUNTER#incident', sk: 'COUNTER' } as const;
export const incidentNumberKey = (number: number) => ({ pk: `NUMBER#${number}`, sk: 'NUMBER' });
export const smsReplyKey = (messageId: string) => ({ pk: pk(`SMS#${messageId}`), sk: 'SMS' });
/** The last answer to a number that is no responder's (its digits). */
export const smsUnknownSenderKey = (digits: string) => ({ pk: pk(`SMS-UNKNOWN#${digits}`), sk: 'SMS-UNKNOWN' });
export const deliveryKey = (deliveryId: string) => ({ pk: pk(`DELIVERY#${deliveryId}`), sk: 'DELIVERY' });
export const heartbeatMonitorKey = (name: string) => ({ pk: 'HEARTBEATS', sk: sk(name) });
export const HEARTBEAT_MONITORS_PK = 'HEARTBEATS';
export const heartbeatStateKey = (name: string) => ({ pk: pk(`HEARTBEAT#${name}`), sk: 'HEARTBEAT' });
export const changeKey = (service: string, at: string, id: string) => ({
  pk: pk(`CHANGES#${service}`),
  sk: sk(`${at}#${id}`),
});
export const noticeKey = (kind: string, at: string, id: string) => ({
  pk: pk(`NOTICE#${kind}`),
  sk: sk(`${at}#${id}`),
});
export const statusIndexKeys = (status: string, openedAt: string, id: string) => ({
  gsi1pk: pk(`STATUS#${status}`),
  gsi1sk: sk(`${openedAt}#${id}`),
});

export const openedMonth = (openedAt: string) => openedAt.slice(0, 7);
export const openedIndexKeys = (openedAt: string, id: string) => ({
  gsi2pk: pk(`OPENED#${openedMonth(openedAt)}`),
  gsi2sk: sk(`${openedAt}#${id}`),
});

/** The table definition as CreateTable takes it (the local runtime and tests create it with this). */
export function createTableInput(tableName: string) {
  const keyNames = [
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    ...GLOBAL_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
