/**
 * Each function role's permissions, exactly: every action on every resource, nothing implied by
 * a managed policy, no wildcard resource.
 */
import { SEVERITIES } from '../../lambdas/core/config.js';
import { allow, logicalIdOf, permissionsOf, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);

const table = `<${idOf(klaxon.store.table)}.Arn>`;
const indexes = [`${table}/index/byOpenedMonth`, `${table}/index/byStatus`];
const onTableQueryIndexes = (actions: string[]) => [...allow(actions, [table]), ...allow(['dynamodb:Query'], indexes)];
const bus = [`<${idOf(klaxon.eventBus.bus)}.Arn>`];
const stateMachines = SEVERITIES.map((severity) => `<${idOf(klaxon.escalation.stateMachines[severity])}>`);
const executions = SEVERITIES.map(
  (severity) =>
    `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${idOf(klaxon.escalation.stateMachines[severity])}.Name>:*`,
);
// Whoever resolves an incident starts its post-mortem reminders.
const startPostmortemReminders = allow(['states:StartExecution'], [`<${idOf(klaxon.escalation.postmortemReminders)}>`]);
const signingSecret = [`<${idOf(klaxon.ackSigningKey.secret)}>`];
const topics = [...klaxon.paging.topics.values()].map((topic) => `<${idOf(topic)}>`);
const ownLogGroup = (fn: { logGroup: Parameters<typeof logicalIdOf>[1] }) =>
  allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`<${idOf(fn.logGroup)}.Arn>`]);
const roleOf = (fn: { role?: Parameters<typeof logicalIdOf>[1] }) => {
  if (!fn.role) throw new Error('function without a role');
  return idOf(fn.role);
};
// Run-time one-time schedules (heartbeat deadlines, a maintenance window's end, overrides):
// made, moved and deleted in Klaxon's own group only, with the scheduler's role passed to Scheduler only.
const scheduleGroup = 'arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/Klaxon/*';
const scheduling = [
  ...allow(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'], [scheduleGroup]),
  `Allow iam:PassRole on <${idOf(klaxon.schedules.role)}.Arn> if {"StringEquals":{"iam:PassedToService":"scheduler.amazonaws.com"}}`,
];
const WRITER_ITEM_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'].map((a) => `dynamodb:${a}`);

describe('function permissions', () => {
  it('intake: incident items, start and stop escalations, publish lifecycle events, dead-letter failed alarm events, invoke itself for its alert inbox', () => {
    const fn = klaxon.intake.function;
    expect(permissionsOf(template, roleOf(fn))).toEqual(
      [
        ...ownLogGroup(fn),
        ...onTableQueryIndexes(WRITER_ITEM_ACTIONS),
        ...allow(['states:StartExecution'], stateMachines),
        // An alarm back to OK or an Events v2 resolve resolves the incident, which stops its execution.
        ...allow(['states:StopExecution'], executions),
        ...startPostmortemReminders,
        ...allow(['events:PutEvents'], bus),
        ...allow(
          ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          [`<${idOf(klaxon.intake.deadLetterQueue)}.Arn>`],
        ),
        // Per-alert Alertmanager deliveries: each inbox chunk is received by an async invocation of
        // itself, and an operator's redrive dispatches the stored chunks the same way.
        ...allow(['lambda:InvokeFunction'], [`<${idOf(fn)}.Arn>`]),
        ...scheduling,
      ].sort(),
    );
  });

  it('incidents-api: incident items, start (drills, re-plans) and stop escalations, publish lifecycle events', () => {
    const fn = klaxon.management.function;
    expect(permissionsOf(template, roleOf(fn))).toEqual(
      [
        ...ownLogGroup(fn),
        ...onTableQueryIndexes(WRITER_ITEM_ACTIONS),
        // POST /v1/drills opens an incident and starts its ladder; escalate, severity and reassign
        // re-plan it: stop the running execution, start the next run.
        ...allow(['states:StartExecution'], stateMachines),
        ...allow(['states:StopExecution'], executions),
        ...startPostmortemReminders,
        ...allow(['events:PutEvents'], bus),
        // Verifies the acknowledge links' signatures.
        ...allow(['secretsmanager:GetSecretValue'], signingSecret),
        ...scheduling,
      ].sort(),
    );
  });

  it('page-responders: read and append to incidents (no delete), publish to the responder topics and the bus', () => {
    const fn = klaxon.paging.pageFunction;
    expect(permissionsOf(template, roleOf(fn))).toEqual(
      [
        ...ownLogGroup(fn),
        ...onTableQueryIndexes(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
        ...allow(['sns:Publish'], topics),
        ...allow(['events:PutEvents'], bus),
        // Signs the acknowledge links in the pages.
        ...allow(['secretsmanager:GetSecretValue'], signingSecret),
        ...scheduling,
      ].sort(),
    );
    expect(topics).toHaveLength(4);
  });

  it("web-console: incident items, start (escalate now) and stop escalations, start post-mortem reminders, publish lifecycle events, schedule an override's handoff notices", () => {
    const fn = klaxon.management.consoleFunction;
    expect(permissionsOf(template, roleOf(fn))).toEqual(
      [
        ...ownLogGroup(fn),
        ...onTableQueryIndexes(WRITER_ITEM_ACTIONS),
        ...allow(['states:StartExecution'], stateMachines),
        ...allow(['states:StopExecution'], executions),
        ...startPostmortemReminders,
        ...allow(['events:PutEvents'], bus),
        ...scheduling,
      ].sort(),
    );
  });

  it.each([
    ['intake', klaxon.intake.function],
    ['web-console', klaxon.management.consoleFunction],
    ['incidents-api', klaxon.management.function],
    ['page-responders', klaxon.paging.pageFunction],
  ])('%s has no wildcard resource', (_, fn) => {
    expect(permissionsOf(template, roleOf(fn)).filter((line) => line.endsWith(' on *'))).toEqual([]);
  });
});
