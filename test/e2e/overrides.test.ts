/**
 * Overrides made at run time, through the CLI against the running runtime: "cover my shift
 * tonight" changes who the next page goes to with no restart, tells the covering person at the
 * start and the rota's person at the end, and an override removed takes its notices with it.
 */
import { runCli } from '../../cli/program.js';
import type { ShiftOverride } from '../../lambdas/core/ports.js';
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, eventually, handoffsIn, openIncident, outbox, pagesIn, startTestRuntime } from '../support/local.js';

const HOUR = 3_600_000;

describe('overrides made at run time', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock('2026-11-20T16:00:00.000Z');
  const klaxon = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(['--api', runtime.url, '--json', ...args], {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: {},
    });
    return { code, out, err };
  };
  const schedules = async () =>
    (await call<{ schedules: { name: string; at: string }[] }>(runtime, 'GET', '/_local/schedules')).body.schedules;
  const at = (hours: number) => new Date(Date.parse('2026-11-20T16:00:00.000Z') + hours * HOUR).toISOString();

  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('`klaxon override add` for tonight pages the covering person next, with a notice at the start and the end', async () => {
    const added = await klaxon(
      ...['override', 'add', '--role', 'primary', '--responder', 'eng-manager'],
      ...['--from', at(2), '--to', at(16), '--reason', 'Priya is at a wedding', '--by', 'primary-oncall'],
    );
    expect(added).toMatchObject({ code: 0, err: '' });
    const override = JSON.parse(added.out) as ShiftOverride;
    expect(override).toMatchObject({ team: 'ops', role: 'primary', responder: 'eng-manager', by: 'primary-oncall' });
    expect((await schedules()).filter((schedule) => schedule.name.startsWith(`ovr-${override.id}`))).toEqual([
      expect.objectContaining({ name: `ovr-${override.id}-start`, at: at(2) }),
      expect.objectContaining({ name: `ovr-${override.id}-end`, at: at(16) }),
    ]);

    // Before the cover starts, the rota's primary is paged.
    const before = await openIncident(runtime, 'Disk filling on db-1', 'warning');
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === before.id),
      'the page before the cover',
    );
    expect(pagesIn(await outbox(runtime)).filter((page) => page.incidentId === before.id)[0]?.responder).toBe(
      'primary-oncall',
    );
    expect(handoffsIn(await outbox(runtime))).toEqual([]);

    await clock.advance(2 * HOUR);
    const notices = handoffsIn(await outbox(runtime));
    expect(notices.map((notice) => [notice.responder, notice.at, notice.subject])).toEqual([
      ['eng-manager', at(2), '[Klaxon] You are now primary on call (1 open incident)'],
    ]);
    const onCall = JSON.parse((await klaxon('oncall')).out) as {
      roles: { role: string; now: string; override?: string }[];
    };
    expect(onCall.roles.find((role) => role.role === 'primary')).toMatchObject({
      now: 'eng-manager',
      override: override.id,
    });

    // The next page goes to the covering person: no restart, no redeploy.
    const tonight = await openIncident(runtime, 'Checkout latency over SLO', 'warning');
    const page = await eventually(
      async () => pagesIn(await outbox(runtime)).find((sent) => sent.incidentId === tonight.id),
      'the page during the cover',
    );
    expect(page.responder).toBe('eng-manager');

    // At the end, the rota's primary is told they hold the role again.
    await clock.advance(14 * HOUR);
    expect(handoffsIn(await outbox(runtime)).map((notice) => [notice.responder, notice.at])).toEqual([
      ['eng-manager', at(2)],
      ['primary-oncall', at(16)],
    ]);
    expect(JSON.parse((await klaxon('override', 'list')).out)).toEqual({ overrides: [] });
  });

  it('`klaxon override rm` puts the rota back and cancels the override’s notices', async () => {
    const added = await klaxon(
      ...['override', 'add', '--role', 'secondary', '--responder', 'executive'],
      ...['--from', at(20), '--for', '8h', '--reason', 'Sam swaps with Erin'],
    );
    expect(added.code).toBe(0);
    const override = JSON.parse(added.out) as ShiftOverride;
    expect(JSON.parse((await klaxon('override', 'list')).out)).toEqual({ overrides: [override] });
    expect((await schedules()).map((schedule) => schedule.name)).toEqual(
      expect.arrayContaining([`ovr-${override.id}-start`, `ovr-${override.id}-end`]),
    );

    const removed = await klaxon('override', 'rm', override.id);
    expect(removed.code).toBe(0);
    expect((await schedules()).map((schedule) => schedule.name)).not.toEqual(
      expect.arrayContaining([`ovr-${override.id}-start`]),
    );
    expect((await schedules()).some((schedule) => schedule.name.startsWith(`ovr-${override.id}`))).toBe(false);
    await clock.advance(10 * HOUR);
    expect(handoffsIn(await outbox(runtime)).filter((notice) => notice.responder === 'executive')).toEqual([]);
    const again = await klaxon('override', 'rm', override.id);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain(`No override with id ${override.id}`);
  });

  it('refuses an override the config cannot honour, saying why', async () => {
    const reply = await call<{ message: string }>(runtime, 'POST', '/v1/overrides', {
      team: 'payments',
      role: 'primary',
      responder: 'eng-manager',
      from: at(40),
      to: at(41),
      reason: 'x',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe('No team "payments" (teams: ops)');
    const nobody = await call<{ message: string }>(runtime, 'POST', '/v1/overrides', {
      role: 'primary',
      responder: 'ghost',
      from: at(40),
      to: at(41),
      reason: 'x',
    });
    expect(nobody.status).toBe(400);
    expect(nobody.body.message).toBe('"ghost" is not a responder id in the config');
  });
});
