/**
 * Heartbeat monitors on the local runtime, driven by the ManualClock: a job pinging on time never
 * pages; one that stops opens one incident after interval + grace; its next ping resolves it; and
 * a burst of pings changes the schedule at most once.
 */
import { parseConfig } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, LOCAL_ROUTING_KEY, startTestRuntime, testConfig } from '../support/local.js';

const MINUTE = 60_000;
// interval 1h + grace 10m
const DEADLINE = 70 * MINUTE;

describe('heartbeat monitors', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock(new Date('2026-11-20T00:00:00.000Z'));
  let scheduleCalls = 0;
  beforeAll(async () => {
    const config = parseConfig({
      ...testConfig(),
      heartbeats: [{ name: 'nightly-backup', interval: '1h', grace: '10m', severity: 'SEV2', service: 'backups' }],
    });
    runtime = await startTestRuntime({ config, clock });
    // Counts what the handlers ask of the runtime's real schedules (they read the port at each call).
    const schedules = runtime.intakeDeps.schedules;
    runtime.intakeDeps.schedules = {
      schedule: (...args) => {
        scheduleCalls += 1;
        return schedules.schedule(...args);
      },
      cancel: (name) => schedules.cancel(name),
    };
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const ping = (how: 'header' | 'query' = 'header') =>
    how === 'header'
      ? call<{ status: string; deadline: string; resolved?: string }>(
          runtime,
          'POST',
          '/v1/heartbeats/nightly-backup',
          undefined,
          { authorization: `Bearer ${LOCAL_ROUTING_KEY}` },
        )
      : call<{ status: string; deadline: string; resolved?: string }>(
          runtime,
          'GET',
          `/v1/heartbeats/nightly-backup?key=${LOCAL_ROUTING_KEY}`,
        );
  const heartbeatIncidents = async () => {
    const all: Incident[] = [];
    for (const status of ['open', 'acknowledged', 'resolved']) {
      const reply = await call<{ incidents: Incident[] }>(
        runtime,
        'GET',
        `/v1/incidents?status=${status}&service=backups`,
      );
      all.push(...reply.body.incidents);
    }
    return all;
  };

  it('refuses a ping without a key, with an unknown key, or for no such monitor', async () => {
    const noKey = await call<{ message: string }>(runtime, 'POST', '/v1/heartbeats/nightly-backup');
    expect(noKey.status).toBe(401);
    expect(noKey.body.message).toContain('Authorization: Bearer');
    const badKey = await call(runtime, 'GET', '/v1/heartbeats/nightly-backup?key=not-a-key');
    expect(badKey.status).toBe(403);
    const unknown = await call(runtime, 'POST', '/v1/heartbeats/weekly-report', undefined, {
      authorization: `Bearer ${LOCAL_ROUTING_KEY}`,
    });
    expect(unknown.status).toBe(404);
  });

  it('a job that pings on time never opens an incident', async () => {
    expect((await ping()).status).toBe(200);
    for (let run = 0; run < 4; run++) {
      await clock.advance(60 * MINUTE);
      expect((await ping(run % 2 ? 'header' : 'query')).status).toBe(200);
    }
    await clock.advance(DEADLINE - MINUTE);
    expect(await heartbeatIncidents()).toEqual([]);
  });

  it('a job that stops pinging opens one incident after interval + grace, once, and its next ping resolves it', async () => {
    const last = clock.now().getTime() - (DEADLINE - MINUTE);
    await clock.advanceTo(last + DEADLINE - 1);
    expect(await heartbeatIncidents()).toEqual([]);
    await clock.advanceTo(last + DEADLINE);
    const [opened, ...others] = await heartbeatIncidents();
    expect(others).toEqual([]);
    expect(opened).toMatchObject({
      status: 'open',
      severity: 'SEV2',
      service: 'backups',
      source: 'heartbeat',
      title: `No heartbeat from nightly-backup since ${new Date(last).toISOString()}`,
    });
    // Hours more without a ping: still that one incident.
    await clock.advance(5 * 60 * MINUTE);
    expect((await heartbeatIncidents()).map((incident) => incident.id)).toEqual([opened?.id]);

    const back = await ping();
    expect(back.body.resolved).toBe(opened?.id);
    const [resolved, ...none] = await heartbeatIncidents();
    expect(none).toEqual([]);
    expect(resolved).toMatchObject({ id: opened?.id, status: 'resolved', resolvedBy: 'heartbeat:nightly-backup' });
  });

  it('a burst of a thousand pings changes the schedule at most once, and the deadline still holds', async () => {
    await clock.advance(60 * MINUTE);
    scheduleCalls = 0;
    let failures = 0;
    // Ten seconds of pings, a hundred at a time.
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 100 }, () => ping()));
      failures += replies.filter((reply) => reply.status !== 200).length;
      await clock.advance(1000);
    }
    expect(failures).toBe(0);
    expect(scheduleCalls).toBeLessThanOrEqual(1);
    const lastPing = clock.now().getTime() - 1000;

    // The schedule was left at the burst's first deadline: it fires early and re-arms, and the
    // incident opens at the last ping's deadline, not before.
    await clock.advanceTo(lastPing + DEADLINE - 1);
    expect((await heartbeatIncidents()).filter((incident) => incident.status !== 'resolved')).toEqual([]);
    await clock.advanceTo(lastPing + DEADLINE);
    expect((await heartbeatIncidents()).filter((incident) => incident.status === 'open')).toHaveLength(1);
  });
});
