/**
 * Maintenance windows: the window a request may set, and "in force" as one rule that intake
 * (hold the ladder) and the maintenance API (its `inForce`) both follow.
 */
import { dynamoIntakeRecords } from '../../lambdas/adapters/dynamo-intake-records.js';
import { parseConfig } from '../../lambdas/core/config.js';
import type { IntakeRecordStore, MaintenanceWindow } from '../../lambdas/core/intake-records.js';
import {
  isInForce,
  MAX_MAINTENANCE_DAYS,
  MaintenanceWindowRefusedError,
  planMaintenanceWindow,
} from '../../lambdas/core/maintenance.js';
import type { HttpEvent, HttpResult } from '../../lambdas/handlers/http.js';
import { makeServiceMaintenanceHandler, serviceMaintenance } from '../../lambdas/handlers/service-maintenance.js';
import { ManualClock } from '../../local/clock.js';
import { lambdaContext } from '../../local/gateway.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { LocalOneTimeSchedules } from '../../local/one-time-schedules.js';
import { testConfig } from '../support/local.js';

const config = parseConfig(testConfig());
const NOW = new Date('2026-11-20T10:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
const DAY = 86_400_000;

describe('the window a request sets', () => {
  it.each([
    ['one minute from now', at(60_000)],
    ['a millisecond from now', at(1)],
    [`exactly ${MAX_MAINTENANCE_DAYS} days from now`, at(MAX_MAINTENANCE_DAYS * DAY)],
    ['an hour from now, written with an offset', '2026-11-20T12:00:00+01:00'],
  ])('%s starts now and is in force now', (_, until) => {
    const window = planMaintenanceWindow({ service: 'payments', until, by: 'ops' }, NOW);
    expect(window).toEqual({
      service: 'payments',
      startsAt: NOW.toISOString(),
      endsAt: new Date(until).toISOString(),
      by: 'ops',
    });
    expect(isInForce(window, NOW)).toBe(true);
  });

  it.each([
    ['ending exactly now (it would hold nothing)', at(0), 'is in the past'],
    ['ending a minute ago', at(-60_000), 'is in the past'],
    [`longer than ${MAX_MAINTENANCE_DAYS} days`, at(MAX_MAINTENANCE_DAYS * DAY + 1), 'days away'],
  ])('a window %s is refused, saying why', (_, until, says) => {
    const plan = () => planMaintenanceWindow({ service: 'payments', until, by: 'ops' }, NOW);
    expect(plan).toThrow(MaintenanceWindowRefusedError);
    expect(plan).toThrow(says);
  });
});

describe("the maintenance API's inForce is intake's rule", () => {
  let dynamo: LocalDynamoDb;
  let records: IntakeRecordStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'maintenance-test' });
    records = dynamoIntakeRecords(dynamo.client, 'maintenance-test');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  const shown = async (window: MaintenanceWindow) => {
    await records.putMaintenance(window);
    const clock = new ManualClock(NOW);
    const handler = serviceMaintenance({
      records,
      clock,
      logger,
      schedules: new LocalOneTimeSchedules(clock, logger),
      config,
    });
    const event = {
      routeKey: 'GET /v1/services/{name}/maintenance',
      pathParameters: { name: window.service },
      requestContext: { http: { method: 'GET' } },
      headers: {},
    } as unknown as HttpEvent;
    const reply = await handler(event);
    expect(reply.statusCode).toBe(200);
    return JSON.parse(reply.body ?? '{}') as { inForce: boolean };
  };

  it.each([
    ['in progress', at(-60_000), at(60_000)],
    ['that has not started yet', at(60_000), at(120_000)],
    ['that starts exactly now', at(0), at(60_000)],
    ['that ends exactly now', at(-60_000), at(0)],
    ['that ended', at(-120_000), at(-60_000)],
  ])('a window %s', async (_, startsAt, endsAt) => {
    const window = { service: 'payments', startsAt, endsAt, by: 'ops' };
    expect((await shown(window)).inForce).toBe(isInForce(window, NOW));
  });
});

describe('setting a window through the API', () => {
  let dynamo: LocalDynamoDb;
  let records: IntakeRecordStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'maintenance-api-test' });
    records = dynamoIntakeRecords(dynamo.client, 'maintenance-api-test');
  });
  afterAll(async () => {
    await schedules.stop();
    await dynamo.close();
  });

  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  const clock = new ManualClock(NOW);
  const schedules = new LocalOneTimeSchedules(clock, logger);
  const post = async (body: Record<string, unknown>) => {
    const handler = makeServiceMaintenanceHandler({ records, clock, logger, schedules, config });
    const event = {
      routeKey: 'POST /v1/services/{name}/maintenance',
      pathParameters: { name: 'checkout' },
      requestContext: { http: { method: 'POST' } },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as HttpEvent;
    const reply = (await handler(event, lambdaContext('klaxon-intake'))) as HttpResult;
    return { status: reply.statusCode, body: JSON.parse(reply.body ?? '{}') as Record<string, unknown> };
  };

  it.each([
    ['no end', {}, "Invalid body: 'until' is missing: give the time the window ends"],
    [
      'an end that is not a time',
      { until: 'tomorrow' },
      "Invalid body: 'until' must be the time the window ends, in ISO 8601",
    ],
    ['an end that is now', { until: at(0) }, `until (${at(0)}) is in the past; give the time the window ends`],
    ['an end too far away', { until: at(40 * DAY) }, `until is more than ${MAX_MAINTENANCE_DAYS} days away`],
  ])('refuses a window with %s: 400, one line that names the field', async (_, body, says) => {
    const reply = await post(body);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain(says);
    expect(reply.body.message).not.toContain('\n');
    expect(await records.getMaintenance('checkout')).toBeUndefined();
  });

  it('sets a window that starts now, in force by the same rule intake holds ladders by', async () => {
    const reply = await post({ until: at(3_600_000), reason: 'database upgrade', by: 'ops' });
    expect(reply).toEqual({
      status: 200,
      body: {
        service: 'checkout',
        startsAt: NOW.toISOString(),
        endsAt: at(3_600_000),
        reason: 'database upgrade',
        by: 'ops',
        inForce: true,
      },
    });
    expect(isInForce(await records.getMaintenance('checkout'), NOW)).toBe(true);
  });

  it("schedules the window's end, and a window that replaces it moves that one schedule", async () => {
    await post({ until: at(3_600_000) });
    await post({ until: at(2 * 3_600_000) });
    expect(schedules.list()).toEqual([
      {
        name: 'mnt-checkout',
        at: at(2 * 3_600_000),
        work: { target: 'intake', payload: { klaxon: 'maintenance-ended', service: 'checkout' } },
      },
    ]);
  });
});
