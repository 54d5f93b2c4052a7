/** The handoff schedules: one cron per rotation in its time zone, one at() per override, the page function their only target. */
import { handoffCron } from '../../lib/handoffs.js';
import {
  logicalIdOf,
  permissionsOf,
  render,
  resourcesOfType,
  sharedKlaxon,
  synthKlaxon,
  withRotations,
} from './klaxon-template.js';

describe('handoff schedules', () => {
  const { stack, klaxon, template } = synthKlaxon(withRotations());
  const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule').map(([, resource]) => resource.Properties);
  const pageFunction = `<${logicalIdOf(stack, klaxon.paging.pageFunction)}.Arn>`;

  it('writes the cron of daily and weekly handoffs', () => {
    const rotation = { id: 'r', handoffTime: '09:00', timeZone: 'UTC', start: '2026-11-02', members: ['a'] };
    expect(handoffCron({ ...rotation, every: 'week', handoffDay: 'monday' })).toBe('cron(0 9 ? * MON *)');
    expect(handoffCron({ ...rotation, every: 'day', handoffTime: '18:30' })).toBe('cron(30 18 * * ? *)');
  });

  it('schedules a rotation that fills a role at its local handoff time, and each override once at its start', () => {
    expect(
      schedules.map((schedule) => [schedule.ScheduleExpression, schedule.ScheduleExpressionTimezone ?? 'Etc/UTC']),
    ).toEqual([
      ['cron(0 9 ? * MON *)', 'Europe/Berlin'],
      ['at(2026-12-24T07:00:00)', 'Etc/UTC'],
    ]);
    for (const schedule of schedules) expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
  });

  it('invokes the page function with the handoff and the scheduled time, retrying within the hour', () => {
    const targetsOf = schedules.map((schedule) => schedule.Target as Record<string, unknown>);
    expect(targetsOf.map((target) => render(target.Arn))).toEqual([pageFunction, pageFunction]);
    expect(targetsOf.map((target) => JSON.parse(String(target.Input)))).toEqual([
      { handoff: 'rotation', team: 'ops', rotation: 'primary-weekly', at: '<aws.scheduler.scheduled-time>' },
      { handoff: 'override', team: 'ops', override: 0, at: '<aws.scheduler.scheduled-time>' },
    ]);
    expect(targetsOf.map((target) => target.RetryPolicy)).toEqual([
      { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
      { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
    ]);
  });

  it("the schedules' role may invoke the page function and nothing else", () => {
    const roleId = logicalIdOf(stack, klaxon.handoffs.role);
    expect(schedules.map((schedule) => render((schedule.Target as { RoleArn: unknown }).RoleArn))).toEqual([
      `<${roleId}.Arn>`,
      `<${roleId}.Arn>`,
    ]);
    expect(permissionsOf(template, roleId)).toEqual(
      [`Allow lambda:InvokeFunction on ${pageFunction}`, `Allow lambda:InvokeFunction on ${pageFunction}:*`].sort(),
    );
  });

  it('the default config (no rotations, no overrides) schedules nothing: idle cost stays zero', () => {
    expect(resourcesOfType(sharedKlaxon().template, 'AWS::Scheduler::Schedule')).toEqual([]);
  });
});
