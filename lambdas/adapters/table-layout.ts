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
 *   INBOX#<id>#<n>      INBOX              chunk n of alerts stored before they are received (core/alert-inbox.ts),
 *                                          deleted once received; one partition per chunk spreads a large delivery
 *   INBOX-PENDING       <id>#<n>           a small entry per stored chunk, deleted after it: what is pending, by Query
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const STATUS_INDEX = { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;
/** Incidents by the month they opened, oldest first: reports read a time range from it. */
export const OPENED_INDEX = { name: 'byOpenedMonth', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;
/** Every global secondary index: the local table and the CDK table are both built from this list. */
export const GLOBAL_INDEXES = [STATUS_INDEX, OPENED_INDEX] as const;
export const TTL_ATTRIBUTE = 'expiresAt';

export const incidentKey = (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'INCIDENT' });
export const timelineKey = (id: string, entryKey: string) => ({ pk: `INCIDENT#${id}`, sk: `TIMELINE#${entryKey}` });
export const dedupKey = (scopedKey: string) => ({ pk: `DEDUP#${scopedKey}`, sk: 'DEDUP' });
export const maintenanceKey = (service: string) => ({ pk: `MAINTENANCE#${service}`, sk: 'MAINTENANCE' });
export const handoffKey = (key: string) => ({ pk: `HANDOFF#${key}`, sk: 'HANDOFF' });
export const inboxKey = (inbox: string, chunk: number) => ({ pk: `INBOX#${inbox}#${chunk}`, sk: 'INBOX' });
export const inboxPendingKey = (inbox: string, chunk: number) => ({ pk: 'INBOX-PENDING', sk: `${inbox}#${chunk}` });
export const latestKey = (scopedKey: string) => ({ pk: `LATEST#${scopedKey}`, sk: 'LATEST' });
export const noticeKey = (kind: string, at: string, id: string) => ({ pk: `NOTICE#${kind}`, sk: `${at}#${id}` });
export const statusIndexKeys = (status: string, openedAt: string, id: string) => ({
  gsi1pk: `STATUS#${status}`,
  gsi1sk: `${openedAt}#${id}`,
});

export const openedMonth = (openedAt: string) => openedAt.slice(0, 7);
export const openedIndexKeys = (openedAt: string, id: string) => ({
  gsi2pk: `OPENED#${openedMonth(openedAt)}`,
  gsi2sk: `${openedAt}#${id}`,
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
