/**
 * Run-time one-time schedules: the rules both sides enforce, EventBridge Scheduler's calls on AWS,
 * and the local stand-in's timers on the runtime's clock.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import {
  eventBridgeOneTimeSchedules,
  schedulerSettingsFromEnvironment,
} from '../../lambdas/adapters/eventbridge-scheduler.js';
import type { ScheduledWork } from '../../lambdas/core/ports.js';
import { atExpression, SCHEDULE_INPUT_MAX_BYTES, scheduleInput } from '../../lambdas/core/schedules.js';
import type { Logger } from '../../lambdas/handlers/logger.js';
import { ManualClock } from '../../local/clock.js';
import { LocalOneTimeSchedules } from '../../local/one-time-schedules.js';

const work = (payload: Record<string, unknown> = {}): ScheduledWork => ({
  target: 'intake',
  payload: { klaxon: 'heartbeat-due', ...payload },
});
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the rules every one-time schedule follows', () => {
  it('refuses what EventBridge Scheduler refuses: a bad name, an input over 256 KB', () => {
    expect(scheduleInput('hb-nightly-backup', work())).toBe('{"klaxon":"heartbeat-due"}');
    expect(() => scheduleInput('hb nightly/backup', work())).toThrow(/1 to 64 letters, digits/);
    expect(() => scheduleInput('x'.repeat(65), work())).toThrow(/1 to 64/);
    expect(() => scheduleInput('big', work({ note: 'x'.repeat(SCHEDULE_INPUT_MAX_BYTES) }))).toThrow(
      /over EventBridge Scheduler's 262144-byte input limit/,
    );
  });

  it('writes at() in UTC to the second, never before the time asked for, and moves a time already gone to the next minute', () => {
    const now = new Date('2026-12-06T04:00:00.000Z');
    // A deadline at .900 must not fire at :15, find itself not yet due and re-arm a minute later.
    expect(atExpression(new Date('2026-12-06T05:30:15.900Z'), now)).toBe('at(2026-12-06T05:30:16)');
    expect(atExpression(new Date('2026-12-06T05:30:15.000Z'), now)).toBe('at(2026-12-06T05:30:15)');
    expect(atExpression(new Date('2026-12-06T03:59:00.000Z'), now)).toBe('at(2026-12-06T04:01:00)');
  });
});

describe('EventBridge Scheduler one-time schedules', () => {
  const scheduler = mockClient(SchedulerClient);
  const settings = () => ({
    groupName: 'klaxon',
    roleArn: 'arn:aws:iam::123456789012:role/scheduler',
    targetArns: { intake: 'arn:aws:lambda:us-east-1:123456789012:function:intake' },
  });
  const clock = { now: () => new Date('2026-12-06T04:00:00.000Z') };
  const schedules = eventBridgeOneTimeSchedules(new SchedulerClient({}), settings, clock);
  beforeEach(() => scheduler.reset());

  it('creates a self-deleting at() schedule in the group, invoking the target with the payload', async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await schedules.schedule('hb-nightly', new Date('2026-12-06T05:00:00Z'), work({ name: 'nightly' }));
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 'hb-nightly',
      GroupName: 'klaxon',
      ScheduleExpression: 'at(2026-12-06T05:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:lambda:us-east-1:123456789012:function:intake',
        RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
        Input: '{"klaxon":"heartbeat-due","name":"nightly"}',
      },
    });
  });

  it('moves a schedule of that name, and creates it again when it fired in between', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .resolves({});
    scheduler
      .on(UpdateScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await schedules.schedule('hb-nightly', new Date('2026-12-06T05:00:00Z'), work());
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(1);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(2);
  });

  it('cancels quietly what has fired already; refuses a target the function was not given', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    await expect(schedules.cancel('hb-nightly')).resolves.toBeUndefined();
    await expect(schedules.schedule('x', new Date(), { target: 'page', payload: { klaxon: 'x' } })).rejects.toThrow(
      /may not schedule work for the page function/,
    );
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it("reads its settings from the stack's variables; `self` is the running function's own ARN", () => {
    const variables = { group: 'G', role: 'R', targets: 'T', functionArnPrefix: 'P' };
    expect(
      schedulerSettingsFromEnvironment(
        {
          G: 'klaxon',
          R: 'arn:role',
          T: '{"intake":"self","page":"arn:page"}',
          P: 'arn:aws:lambda:eu-west-1:1:function:',
          AWS_LAMBDA_FUNCTION_NAME: 'klaxon-intake',
        },
        variables,
      ),
    ).toEqual({
      groupName: 'klaxon',
      roleArn: 'arn:role',
      targetArns: { intake: 'arn:aws:lambda:eu-west-1:1:function:klaxon-intake', page: 'arn:page' },
    });
    expect(() => schedulerSettingsFromEnvironment({}, variables)).toThrow(/has no run-time schedules/);
  });
});

describe('the local stand-in', () => {
  function localSchedules(dataDir?: string) {
    const clock = new ManualClock('2026-12-06T04:00:00.000Z');
    const fired: { at: string; payload: unknown }[] = [];
    const schedules = new LocalOneTimeSchedules(clock, quiet, dataDir);
    const invoke = async (payload: unknown) => {
      fired.push({ at: clock.now().toISOString(), payload });
    };
    schedules.start({ intake: invoke, page: invoke });
    return { clock, fired, schedules };
  }

  it('fires each schedule once when the clock reaches it; a moved one at its new time; a cancelled one never', async () => {
    const { clock, fired, schedules } = localSchedules();
    await schedules.schedule('a', new Date('2026-12-06T04:10:00Z'), work({ n: 1 }));
    await schedules.schedule('b', new Date('2026-12-06T04:05:00Z'), work({ n: 2 }));
    await schedules.schedule('a', new Date('2026-12-06T04:20:00Z'), work({ n: 3 }));
    await schedules.schedule('c', new Date('2026-12-06T04:06:00Z'), work({ n: 4 }));
    await schedules.cancel('c');
    await expect(schedules.schedule('bad name', new Date(), work())).rejects.toThrow(/1 to 64/);
    await clock.advance(60 * 60_000);
    expect(fired).toEqual([
      { at: '2026-12-06T04:05:00.000Z', payload: { klaxon: 'heartbeat-due', n: 2 } },
      { at: '2026-12-06T04:20:00.000Z', payload: { klaxon: 'heartbeat-due', n: 3 } },
    ]);
    expect(schedules.list()).toEqual([]);
    await schedules.stop();
  });

  it('keeps its schedules across a restart with --data, and fires one whose time passed meanwhile', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'klaxon-schedules-'));
    const first = localSchedules(dataDir);
    await first.schedules.schedule('a', new Date('2026-12-06T04:10:00Z'), work());
    await first.schedules.stop();
    const second = localSchedules(dataDir);
    expect(second.schedules.list().map(({ name, at }) => [name, at])).toEqual([['a', '2026-12-06T04:10:00.000Z']]);
    await second.clock.advance(15 * 60_000);
    expect(second.fired).toHaveLength(1);
    await second.schedules.stop();
  });
});
