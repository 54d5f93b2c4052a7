/**
 * IncidentStore on DynamoDB (and dynalite locally) through the document client. Single-item
 * conditional writes only: dynalite has no transactions, and each use case is written so that a
 * retry repairs whatever a crash between two writes left undone.
 */
import type { AttributeValue, ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Incident, IncidentStatus, IncidentWithTimeline, TimelineEntry } from '../core/incident.js';
import {
  type DedupClaim,
  type IncidentPage,
  type IncidentStore,
  InvalidCursorError,
  type RepeatAlert,
} from '../core/ports.js';
import { cutText } from '../core/sender-text.js';
import { conditionHeld, isConditionFailure } from './dynamo-conditions.js';
import { queryAllItems } from './dynamo-query-pages.js';
import { decodeListCursor, encodeListCursor, listFilterExpression, monthsBetween } from './incident-queries.js';
import {
  boundedKey,
  dedupKey,
  incidentCounterKey,
  incidentKey,
  incidentNumberKey,
  OPENED_INDEX,
  openedIndexKeys,
  STATUS_INDEX,
  statusIndexKeys,
  timelineKey,
} from './table-layout.js';

/** A dedup record no reopen has held (`heldForRun` absent), or one held for run `:run` at most. */
const HELD_FOR_RUN_AT_MOST = '(attribute_not_exists(#run) OR #run <= :run)';

/**
 * The latest repeat alerts counted on an incident, oldest first (see countRepeat): their bounded
 * delivery ids (the guard against counting one twice), and the latest few with what each said
 * (shown on the timeline). Each list is kept from its length, trimmed back to it once it holds
 * half as many again; ids and summaries are bounded, so the incident item stays small however
 * noisy the alert.
 */
const COUNTED_DELIVERIES = { name: 'countedDeliveries', kept: 32 };
const RECENT_ALERTS = { name: 'recentAlerts', kept: 10 };
const COUNTED_ID_BYTES = 256;
/** PagerDuty's own limit on a summary. */
const RECENT_SUMMARY_CHARACTERS = 1024;

interface RecentAlert {
  at: string;
  deliveryId: string;
  summary: string;
}

/** A repeat kept on the incident, shown on its timeline as the entry it stands for. */
const repeatEntry = (alert: RecentAlert): TimelineEntry => ({
  at: alert.at,
  type: 'alert',
  message: `Alert repeated: ${alert.summary}`,
  deliveryId: alert.deliveryId,
});

const INTERNAL_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'kind',
  'entryKey',
  COUNTED_DELIVERIES.name,
  RECENT_ALERTS.name,
] as const;

function strip<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const name of INTERNAL_ATTRIBUTES) delete copy[name];
  return copy as T;
}

/** The item a refused write found (ReturnValuesOnConditionCheckFailure: ALL_OLD), as the document client shows items. */
const itemOf = (error: ConditionalCheckFailedException): Record<string, unknown> | undefined =>
  error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;

/** DynamoDB refuses a start key that does not fit the query (another partition, outside the range). */
const isValidationError = (error: unknown) => error instanceof Error && error.name === 'ValidationException';

/** An incident as its item: its key and the keys of the status and opened-month indexes. */
export const incidentItem = (incident: Incident) => ({
  ...incident,
  ...incidentKey(incident.id),
  ...statusIndexKeys(incident.status, incident.openedAt, incident.id),
  ...openedIndexKeys(incident.openedAt, incident.id),
  kind: 'incident',
});

export function dynamoIncidentStore(client: DynamoDBClient, tableName: string): IncidentStore {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const TableName = tableName;

  const getIncident = async (id: string): Promise<Incident | undefined> => {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: incidentKey(id), ConsistentRead: true }));
    return Item ? strip<Incident>(Item) : undefined;
  };

  /** The incident as written, or undefined when the condition did not hold (someone moved it first). */
  const updateIncidentIf = async (
    id: string,
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<Incident | undefined> => {
    try {
      const { Attributes } = await doc.send(
        new UpdateCommand({ TableName, Key: incidentKey(id), ...update, ReturnValues: 'ALL_NEW' }),
      );
      return Attributes ? strip<Incident>(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };

  /**
   * Applies `set` to the dedup record only while `incidentId` holds it, unreleased, for `run` at
   * most; false when it does not (freed, pointing at a newer incident, or held by a later run).
   */
  const updateHeldDedupRecord = async (
    scopedKey: string,
    incidentId: string,
    run: number,
    set: string,
    values: Record<string, unknown> = {},
  ): Promise<boolean> =>
    conditionHeld(
      doc.send(
        new UpdateCommand({
          TableName,
          Key: dedupKey(scopedKey),
          UpdateExpression: set,
          ConditionExpression: `incidentId = :incidentId AND attribute_not_exists(#released) AND ${HELD_FOR_RUN_AT_MOST}`,
          ExpressionAttributeNames: { '#run': 'heldForRun', '#released': 'released' },
          ExpressionAttributeValues: { ':incidentId': incidentId, ':run': run, ...values },
        }),
      ),
    );

  const findByDedupKey = async (scopedKey: string): Promise<string | undefined> => {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: dedupKey(scopedKey), ConsistentRead: true }));
    return Item && !Item.released ? (Item.incidentId as string) : undefined;
  };

  const appendTimeline = (incidentId: string, key: string, entry: TimelineEntry): Promise<boolean> =>
    conditionHeld(
      doc.send(
        new PutCommand({
          TableName,
          Item: { ...entry, ...timelineKey(incidentId, key), kind: 'timeline', entryKey: key },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );

  const hasTimelineEntry = async (incidentId: string, key: string): Promise<boolean> => {
    const { Item } = await doc.send(
      new GetCommand({
        TableName,
        Key: timelineKey(incidentId, key),
        ConsistentRead: true,
        ProjectionExpression: 'pk',
      }),
    );
    return Item !== undefined;
  };

  /**
   * Drops a list's oldest repeats, down to what it keeps, if it is still `length` long: of repeats
   * racing to trim, one does and the rest leave it (their appends made it longer).
   */
  const trimRepeats = async (incidentId: string, list: { name: string; kept: number }, length: number) => {
    if (length <= list.kept * 1.5) return;
    const drop = Array.from({ length: length - list.kept }, (_, i) => `#list[${i}]`);
    await conditionHeld(
      doc.send(
        new UpdateCommand({
          TableName,
          Key: incidentKey(incidentId),
          UpdateExpression: `REMOVE ${drop.join(', ')}`,
          ConditionExpression: 'size(#list) = :length',
          ExpressionAttributeNames: { '#list': list.name },
          ExpressionAttributeValues: { ':length': length },
        }),
      ),
    );
  };

  return {
    async claimDedupKey(scopedKey, incidentId, at, over): Promise<DedupClaim> {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      let condition = 'attribute_not_exists(pk)';
      if (over === 'any') {
        condition = 'attribute_not_exists(pk) OR attribute_exists(#released)';
        names['#released'] = 'released';
      } else if (over) {
        condition = 'attribute_exists(#released) AND incidentId = :previous';
        names['#released'] = 'released';
        values[':previous'] = over.released;
      }
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...dedupKey(scopedKey), kind: 'dedup', incidentId, claimedAt: at },
            ConditionExpression: condition,
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            // The holder comes back with the refusal: a duplicate costs one call, not a put and a get.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const holder = itemOf(error);
        // Refused with nothing there: another claim came and went (a resolution freed it); look again.
        if (!holder) return { claimed: false, released: '' };
        const id = holder.incidentId as string;
        return holder.released ? { claimed: false, released: id } : { claimed: false, incidentId: id };
      }
    },

    findByDedupKey,

    async releaseDedupKey(scopedKey, incidentId, run) {
      // Already freed, pointing at a newer incident, or held by a reopen: nothing of ours to release.
      await updateHeldDedupRecord(scopedKey, incidentId, run, 'SET #released = :true', { ':true': true });
    },

    holdDedupKeyForRun: (scopedKey, incidentId, run) =>
      updateHeldDedupRecord(scopedKey, incidentId, run, 'SET #run = :run'),

    async allotIncidentNumber() {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName,
          Key: incidentCounterKey,
          UpdateExpression: 'ADD #last :one',
          ExpressionAttributeNames: { '#last': 'last' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.last);
    },

    async findByNumber(number) {
      const { Item } = await doc.send(
        new GetCommand({ TableName, Key: incidentNumberKey(number), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const incident = await getIncident(Item.incidentId as string);
      // A number allotted to an opening that lost its race (or crashed) points at an incident that
      // took another number: it names nothing.
      return incident?.number === number ? incident : undefined;
    },

    async createIncident(incident) {
      try {
        // The pointer beside the incident, not after it: no round trip more for an opening. Written
        // unconditionally: its number is new, and a retry writes the same thing.
        await Promise.all([
          doc.send(
            new PutCommand({
              TableName,
              Item: incidentItem(incident),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
          doc.send(
            new PutCommand({
              TableName,
              Item: { ...incidentNumberKey(incident.number), kind: 'number', incidentId: incident.id },
            }),
          ),
        ]);
        return { incident, created: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await getIncident(incident.id);
        if (!existing) throw new Error(`Incident ${incident.id} exists but could not be read back`);
        return { incident: existing, created: false };
      }
    },

    getIncident,

    async getIncidentWithTimeline(id): Promise<IncidentWithTimeline | undefined> {
      const items: Record<string, unknown>[] = [];
      for await (const item of queryAllItems(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': incidentKey(id).pk },
        ConsistentRead: true,
      })) {
        items.push(item);
      }
      const incidentItem = items.find((item) => item.kind === 'incident');
      if (!incidentItem) return undefined;
      const repeats = ((incidentItem[RECENT_ALERTS.name] as RecentAlert[] | undefined) ?? []).map(repeatEntry);
      const timeline = items
        .filter((item) => item.kind === 'timeline')
        .map((item) => strip<TimelineEntry>(item))
        .concat(repeats)
        .sort((a, b) => a.at.localeCompare(b.at));
      return { ...strip<Incident>(incidentItem), timeline };
    },

    async transition({ id, openedAt }, from: IncidentStatus[], changes, expected) {
      const names: Record<string, string> = { '#status': 'status', '#run': 'run' };
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const removes: string[] = [];
      const next = { ...changes };
      if (changes.status) Object.assign(next, statusIndexKeys(changes.status, openedAt, id));
      Object.entries(next).forEach(([name, value], i) => {
        names[`#a${i}`] = name;
        // A field changed to undefined is cleared (a reopened incident is no longer resolved).
        if (value === undefined) {
          removes.push(`#a${i}`);
          return;
        }
        values[`:v${i}`] = value;
        sets.push(`#a${i} = :v${i}`);
      });
      from.forEach((status, i) => {
        values[`:from${i}`] = status;
      });
      // The run or episode the caller decided on: of two decisions racing from it, one is written.
      const [counter, expectedNumber] =
        'episode' in expected ? ['episode', expected.episode] : ['number', expected.run];
      names['#counter'] = counter;
      values[':expected'] = expectedNumber;
      return updateIncidentIf(id, {
        UpdateExpression: [
          sets.length > 0 ? `SET ${sets.join(', ')}` : '',
          removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' '),
        ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')}) AND #run.#counter = :expected`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    },

    appendTimeline,

    recordAlertGroup(incidentId, group, title) {
      // ISO-8601 times of one format compare as strings: a retry of an older notification that
      // arrives after a newer one leaves the newer counts in place.
      return updateIncidentIf(incidentId, {
        UpdateExpression: 'SET #group = :group, #title = :title',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#group) OR #group.#at <= :at)',
        ExpressionAttributeNames: { '#group': 'alertGroup', '#title': 'title', '#at': 'receivedAt' },
        ExpressionAttributeValues: { ':group': group, ':title': title, ':at': group.receivedAt },
      });
    },

    async countRepeat(incidentId, repeat: RepeatAlert, { whileWalking }) {
      const countedId = boundedKey(repeat.deliveryId, COUNTED_ID_BYTES);
      const recent: RecentAlert = {
        at: repeat.at,
        deliveryId: countedId,
        summary: cutText(repeat.summary, RECENT_SUMMARY_CHARACTERS),
      };
      const conditions = [
        'attribute_exists(pk)',
        '(attribute_not_exists(firstDeliveryId) OR firstDeliveryId <> :delivery)',
        '(attribute_not_exists(#counted) OR NOT contains(#counted, :id))',
      ];
      const names: Record<string, string> = { '#counted': COUNTED_DELIVERIES.name, '#recent': RECENT_ALERTS.name };
      const values: Record<string, unknown> = {
        ':one': 1,
        ':at': repeat.at,
        ':none': [],
        ':ids': [countedId],
        ':id': countedId,
        ':recent': [recent],
        ':delivery': repeat.deliveryId,
      };
      if (whileWalking) {
        conditions.push(
          '#status IN (:open, :acknowledged)',
          'attribute_exists(#run.#startedAt)',
          'attribute_not_exists(#run.#held)',
        );
        Object.assign(names, { '#status': 'status', '#run': 'run', '#startedAt': 'startedAt', '#held': 'held' });
        Object.assign(values, { ':open': 'open', ':acknowledged': 'acknowledged' });
      }
      let counted: Record<string, unknown>;
      try {
        const { Attributes } = await doc.send(
          new UpdateCommand({
            TableName,
            Key: incidentKey(incidentId),
            UpdateExpression:
              'ADD alertCount :one SET lastAlertAt = :at, #counted = list_append(if_not_exists(#counted, :none), :ids), #recent = list_append(if_not_exists(#recent, :none), :recent)',
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        counted = Attributes ?? {};
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const found = itemOf(error);
        const before = ((found?.[COUNTED_DELIVERIES.name] as unknown[] | undefined) ?? []).includes(countedId);
        return { counted: false, before, ...(found ? { incident: strip<Incident>(found) } : {}) };
      }
      await Promise.all(
        [COUNTED_DELIVERIES, RECENT_ALERTS].map((list) =>
          trimRepeats(incidentId, list, (counted[list.name] as unknown[] | undefined)?.length ?? 0),
        ),
      );
      return { counted: true, incident: strip<Incident>(counted) };
    },

    async markRunStarted(incidentId, run, at) {
      await updateIncidentIf(incidentId, {
        UpdateExpression: 'SET #run.#startedAt = if_not_exists(#run.#startedAt, :at)',
        ConditionExpression: 'attribute_exists(pk) AND #run.#number = :run',
        ExpressionAttributeNames: { '#run': 'run', '#startedAt': 'startedAt', '#number': 'number' },
        ExpressionAttributeValues: { ':at': at, ':run': run },
      });
    },

    hasTimelineEntry,

    async timelineEntries(incidentId, keyPrefix) {
      const entries: TimelineEntry[] = [];
      for await (const item of queryAllItems(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': incidentKey(incidentId).pk,
          ':prefix': timelineKey(incidentId, keyPrefix).sk,
        },
        ConsistentRead: true,
      })) {
        entries.push(strip<TimelineEntry>(item));
      }
      return entries;
    },

    async listByStatus(status, { limit, cursor, ...filter }): Promise<IncidentPage> {
      const narrowed = listFilterExpression(filter);
      const startKey = decodeListCursor(status, filter, cursor);
      const page = await doc
        .send(
          new QueryCommand({
            TableName,
            IndexName: STATUS_INDEX.name,
            KeyConditionExpression: `#pk = :pk${narrowed.keyCondition}`,
            FilterExpression: narrowed.filter,
            ExpressionAttributeNames: { '#pk': STATUS_INDEX.partitionKey, ...narrowed.names },
            ExpressionAttributeValues: { ':pk': statusIndexKeys(status, '', '').gsi1pk, ...narrowed.values },
            ScanIndexForward: false,
            Limit: limit,
            ExclusiveStartKey: startKey,
          }),
        )
        .catch((error: unknown) => {
          // A backstop for a cursor whose key was altered to fit the query's shape but not its keys.
          if (startKey && isValidationError(error)) {
            throw new InvalidCursorError('The cursor does not fit this query; start again without it');
          }
          throw error;
        });
      return {
        incidents: (page.Items ?? []).map((item) => strip<Incident>(item)),
        next: encodeListCursor(status, filter, page.LastEvaluatedKey),
      };
    },

    async *incidentsOpenedBetween(from, to) {
      for (const month of monthsBetween(from, to)) {
        // gsi2sk is "<openedAt>#<id>": BETWEEN from AND to keeps [from, to), since "to#id" sorts after "to".
        for await (const item of queryAllItems(doc, {
          TableName,
          IndexName: OPENED_INDEX.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': OPENED_INDEX.partitionKey, '#sk': OPENED_INDEX.sortKey },
          ExpressionAttributeValues: { ':pk': openedIndexKeys(month, '').gsi2pk, ':from': from, ':to': to },
        })) {
          yield strip<Incident>(item);
        }
      }
    },

    async markEscalated(incidentId, at) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET escalatedAt = if_not_exists(escalatedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    },
  };
}
