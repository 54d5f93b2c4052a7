/**
 * Heartbeat monitors as tables: which config a monitor may have, when it is missing, and when a
 * ping moves its schedule (a burst must not, a ping on time must); and the store's conditional
 * writes, on dynalite.
 */
import { readFileSync } from 'node:fs';
import { dynamoHeartbeats } from '../../lambdas/adapters/dynamo-heartbeats.js';
import { ConfigError, parseConfig } from '../../lambdas/core/config.js';
import {
  type HeartbeatStore,
  heartbeatDeadline,
  heartbeatScheduleName,
  movesSchedule,
} from '../../lambdas/core/heartbeats.js';
import { maintenanceScheduleName } from '../../lambdas/core/maintenance.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';

const valid = () => JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;
const withHeartbeats = (heartbeats: unknown[]) => ({ ...valid(), heartbeats });

function problemsOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('a heartbeat monitor in the config', () => {
  it('takes a grace of 0, SEV2 and no service (the default service) unless it says otherwise', () => {
    const config = parseConfig(withHeartbeats([{ name: 'nightly-backup', interval: '1d' }]));
    expect(config.heartbeats).toEqual([{ name: 'nightly-backup', interval: '1d', grace: '0', severity: 'SEV2' }]);
  });

  it.each([
    ['an interval under a minute', { name: 'job', interval: '30s' }, 'heartbeats[0].interval: must be at least 60s'],
    ['a name that cannot name a schedule', { name: 'night/backup', interval: '1h' }, 'heartbeats[0].name'],
    ['a name over 61 characters', { name: 'x'.repeat(62), interval: '1h' }, 'heartbeats[0].name'],
    [
      'more than a year to wait',
      { name: 'job', interval: '366d', grace: '1d' },
      'interval + grace must be at most 366d',
    ],
    ['an unreadable grace', { name: 'job', interval: '1h', grace: 'soon' }, 'heartbeats[0].grace'],
  ])('refuses %s', (_, monitor, problem) => {
    expect(problemsOf(withHeartbeats([monitor]))).toContain(problem);
  });

  it('refuses two monitors of one name', () => {
    const monitor = { name: 'job', interval: '1h' };
    expect(problemsOf(withHeartbeats([monitor, monitor]))).toContain('heartbeats[1].name: "job" is listed twice');
  });
});

describe('when a monitor is missing', () => {
  it('is interval + grace after the last ping', () => {
    expect(heartbeatDeadline({ interval: '1d', grace: '1h' }, '2026-11-20T02:00:00.000Z').toISOString()).toBe(
      '2026-11-21T03:00:00.000Z',
    );
  });
});

describe('whether a ping moves the schedule (interval 1h: a tenth is 6 minutes)', () => {
  const scheduled = '2026-11-20T03:00:00.000Z';
  const later = (ms: number) => new Date(Date.parse(scheduled) + ms);
  it.each([
    ['no schedule yet', later(0), undefined, true],
    ['a burst: the same deadline', later(0), scheduled, false],
    ['a deadline a second later', later(1000), scheduled, false],
    ['exactly a tenth of the interval later', later(360_000), scheduled, false],
    ['more than a tenth later', later(360_001), scheduled, true],
    ['a ping on time: an interval later', later(3_600_000), scheduled, true],
    ['an earlier deadline (a ping delivered out of order)', later(-60_000), scheduled, false],
  ])('%s', (_, deadline, at, moves) => {
    expect(movesSchedule({ interval: '1h' }, deadline, at)).toBe(moves);
  });
});

describe('schedule names (Scheduler: at most 64 of [0-9A-Za-z._-])', () => {
  it.each([
    ['the longest monitor name', heartbeatScheduleName('m'.repeat(61))],
    ['a short service', maintenanceScheduleName('payments')],
    ['the longest service name', maintenanceScheduleName('s'.repeat(128))],
  ])('%s fits', (_, name) => {
    expect(name).toMatch(/^[0-9A-Za-z._-]{1,64}$/);
  });

  it('keeps two long service names apart', () => {
    expect(maintenanceScheduleName(`${'s'.repeat(100)}a`)).not.toBe(maintenanceScheduleName(`${'s'.repeat(100)}b`));
  });
});

describe('the stored pings (dynalite): one conditional write each, the latest stands', () => {
  let dynamo: LocalDynamoDb;
  let store: HeartbeatStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'heartbeats-test' });
    store = dynamoHeartbeats(dynamo.client, 'heartbeats-test');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('records a later ping with the state before it, and refuses one at the same instant or earlier', async () => {
    expect(await store.recordPing('job', '2026-11-20T01:00:00.000Z')).toEqual({
      recorded: true,
      before: { name: 'job' },
    });
    await store.recordScheduled('job', '2026-11-20T02:10:00.000Z');
    expect(await store.recordPing('job', '2026-11-20T01:00:00.000Z')).toEqual({ recorded: false });
    expect(await store.recordPing('job', '2026-11-20T00:59:59.999Z')).toEqual({ recorded: false });
    expect(await store.recordPing('job', '2026-11-20T01:00:00.001Z')).toEqual({
      recorded: true,
      before: { name: 'job', lastPingAt: '2026-11-20T01:00:00.000Z', scheduledAt: '2026-11-20T02:10:00.000Z' },
    });
  });

  it('keeps the latest schedule time, and declares a ping missed only while it is the last one', async () => {
    await store.recordScheduled('job', '2026-11-20T02:00:00.000Z');
    expect((await store.getState('job'))?.scheduledAt).toBe('2026-11-20T02:10:00.000Z');
    expect(await store.markMissing('job', '2026-11-20T01:00:00.000Z')).toBe(false);
    expect(await store.markMissing('job', '2026-11-20T01:00:00.001Z')).toBe(true);
    await store.clearMissing('job', '2026-11-20T00:00:00.000Z');
    expect((await store.getState('job'))?.missingSince).toBe('2026-11-20T01:00:00.001Z');
    await store.clearMissing('job', '2026-11-20T01:00:00.001Z');
    expect((await store.getState('job'))?.missingSince).toBeUndefined();
  });
});
