/**
 * The single-table layout, named once: CDK creates the table from these names, the local
 * runtime creates the same table in dynalite, the store adapter and the ASL's GetItem use them.
 *
 *   pk                  sk                 what
 *   INCIDENT#<id>       INCIDENT           the incident (gsi1pk = STATUS#<status>, gsi1sk = <openedAt>#<id>;
 *                                          gsi2pk = OPENED#<yyyy-mm>, gsi2sk = <openedAt>#<id>)
 *   INCIDENT#<id>       TIMELINE#<key>     one timeline entry; <key> makes retried writes idempotent
 *   DEDUP#<source:key>  DEDUP              which incident an alert's dedup key points at while it is open
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const STATUS_INDEX = { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;
/** Incidents by the month they opened, oldest first: reports read a time range from it. */
export const OPENED_INDEX = { name: 'byOpenedMonth', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;
export const TTL_ATTRIBUTE = 'expiresAt';

export const incidentKey = (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'INCIDENT' });
export const timelineKey = (id: string, entryKey: string) => ({ pk: `INCIDENT#${id}`, sk: `TIMELINE#${entryKey}` });
export const dedupKey = (scopedKey: string) => ({ pk: `DEDUP#${scopedKey}`, sk: 'DEDUP' });
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
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' as const },
      { AttributeName: STATUS_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: STATUS_INDEX.sortKey, AttributeType: 'S' as const },
      { AttributeName: OPENED_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: OPENED_INDEX.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: STATUS_INDEX.name,
        KeySchema: [
          { AttributeName: STATUS_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: STATUS_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
      {
        IndexName: OPENED_INDEX.name,
        KeySchema: [
          { AttributeName: OPENED_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: OPENED_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
