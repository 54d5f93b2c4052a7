/** Run-time one-time schedules: Klaxon's own group, a role that only invokes the two targets, grants scoped to the group. */
import {
  logicalIdOf,
  onlyOne,
  permissionsOf,
  render,
  resourceOf,
  resourcesOfType,
  sharedKlaxon,
} from './klaxon-template.js';

describe('run-time one-time schedules', () => {
  const { stack, klaxon, template } = sharedKlaxon();
  const roleId = logicalIdOf(stack, klaxon.schedules.role);
  const groupArn = render(stack.resolve(klaxon.schedules.scheduleArns()));
  const environmentOf = (fn: Parameters<typeof logicalIdOf>[1]) =>
    (resourceOf(template, logicalIdOf(stack, fn)).Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;

  it('keeps them in a group of their own, deleted with the stack, with no schedule made at deploy', () => {
    const group = onlyOne(
      resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup'),
      'schedule group',
    )[1] as unknown as {
      DeletionPolicy?: string;
    };
    expect(group.DeletionPolicy).toBe('Delete');
    expect(groupArn).toMatch(/:schedule\/.+\/\*$/);
    expect(resourcesOfType(template, 'AWS::Scheduler::Schedule')).toEqual([]);
  });

  it("the scheduler's role, assumable for this account's schedules in the group, invokes intake and page only", () => {
    const trust = resourceOf(template, roleId).Properties.AssumeRolePolicyDocument as {
      Statement: { Principal: unknown; Condition: Record<string, Record<string, unknown>> }[];
    };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]?.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(render(trust.Statement[0]?.Condition.ArnLike?.['aws:SourceArn'])).toBe(groupArn);
    const intake = `<${logicalIdOf(stack, klaxon.intake.function)}.Arn>`;
    const page = `<${logicalIdOf(stack, klaxon.paging.pageFunction)}.Arn>`;
    expect(permissionsOf(template, roleId)).toEqual(
      [intake, `${intake}:*`, page, `${page}:*`].map((arn) => `Allow lambda:InvokeFunction on ${arn}`).sort(),
    );
  });

  it("lets intake, the API, the console (an override's notices) and the page function schedule in the group only, passing the role to Scheduler only", () => {
    const functions = [
      klaxon.intake.function,
      klaxon.management.function,
      klaxon.management.consoleFunction,
      klaxon.paging.pageFunction,
    ];
    for (const fn of functions) {
      const granted = permissionsOf(template, logicalIdOf(stack, fn.role as Parameters<typeof logicalIdOf>[1]));
      const scheduling = granted.filter((line) => /scheduler:|iam:PassRole/.test(line));
      expect(scheduling).toEqual(
        [
          ...['CreateSchedule', 'DeleteSchedule', 'UpdateSchedule'].map(
            (action) => `Allow scheduler:${action} on ${groupArn}`,
          ),
          `Allow iam:PassRole on <${roleId}.Arn> if {"StringEquals":{"iam:PassedToService":"scheduler.amazonaws.com"}}`,
        ].sort(),
      );
    }
  });

  it('names each target a function may invoke; a function names itself, and the page function never names intake', () => {
    const targets = (fn: Parameters<typeof logicalIdOf>[1]) => render(environmentOf(fn).SCHEDULE_TARGETS);
    expect(targets(klaxon.paging.pageFunction)).toBe('{"page":"self"}');
    expect(targets(klaxon.intake.function)).toContain('"intake":"self"');
    expect(targets(klaxon.management.function)).toMatch(/"intake":".*Arn.*","page":".*Arn/);
    // The console's "cover this shift" form schedules an override's notices, sent by the page function.
    expect(targets(klaxon.management.consoleFunction)).toMatch(/^\{"page":".*Arn[^,]*\}$/);
  });
});
