import { SEVERITIES } from '../../lambdas/core/config.js';
import { placeholdersOf, readAsl, substitute } from '../../lib/asl.js';
import { LOG_DELIVERY_ACTIONS } from '../../lib/escalation.js';
import {
  allow,
  logicalIdOf,
  permissionsOf,
  render,
  resourceOf,
  resourcesOfType,
  sharedKlaxon,
} from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const pageFunctionId = logicalIdOf(stack, klaxon.paging.pageFunction);
const roleId = logicalIdOf(stack, klaxon.escalation.role);
const postmortemMachineId = logicalIdOf(stack, klaxon.escalation.postmortemReminders);
const postmortemRoleId = logicalIdOf(stack, klaxon.escalation.postmortemRole);
const stateMachines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine').filter(
  ([id]) => id !== postmortemMachineId,
);

describe('escalation state machines', () => {
  it('are one Standard workflow per severity tier', () => {
    expect(stateMachines).toHaveLength(SEVERITIES.length);
    const tiers = stateMachines.map(
      ([, machine]) => (machine.Properties.DefinitionSubstitutions as { Severity: string }).Severity,
    );
    expect(tiers.sort()).toEqual([...SEVERITIES]);
    for (const [, machine] of stateMachines) expect(machine.Properties.StateMachineType).toBe('STANDARD');
  });

  it.each(SEVERITIES)('%s runs the ASL file as written, with every placeholder substituted', (severity) => {
    const machine = resourceOf(template, logicalIdOf(stack, klaxon.escalation.stateMachines[severity]));
    const definition = machine.Properties.DefinitionString as string;
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;

    // Inline text, not an S3 asset, and the same text the local runtime and the ASL tests run.
    expect(definition).toBe(readAsl('escalation'));
    expect(Object.keys(substitutions).sort()).toEqual(placeholdersOf(readAsl('escalation')));
    expect(Object.fromEntries(Object.entries(substitutions).map(([name, value]) => [name, render(value)]))).toEqual({
      PageFunctionArn: `<${pageFunctionId}.Arn>`,
      Severity: severity,
    });

    const substituted = substitute(
      definition,
      Object.fromEntries(Object.keys(substitutions).map((name) => [name, `x-${name}`])),
    );
    expect(substituted).not.toContain('${');
    expect(() => JSON.parse(substituted)).not.toThrow();
  });

  it('log every execution to a log group kept three months', () => {
    const logGroupId = logicalIdOf(stack, klaxon.escalation.logGroup);
    for (const [, machine] of stateMachines) {
      expect(machine.Properties.LoggingConfiguration).toEqual({
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
        IncludeExecutionData: true,
        Level: 'ALL',
      });
      expect(machine.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
    expect(resourceOf(template, logGroupId).Properties.RetentionInDays).toBe(90);
  });
});

describe('the escalation role', () => {
  it('may invoke the page function and deliver logs, nothing more', () => {
    expect(permissionsOf(template, roleId)).toEqual(
      [
        ...allow(['lambda:InvokeFunction'], [`<${pageFunctionId}.Arn>`, `<${pageFunctionId}.Arn>:*`]),
        ...allow(LOG_DELIVERY_ACTIONS, ['*']),
      ].sort(),
    );
  });

  it('covers every service integration the ASL file uses, so a new Task state cannot deploy unpermitted', () => {
    // Service integration → the IAM action it calls. A Resource missing here fails this test: add
    // it with its permission (in lib/escalation.ts) rather than widening the role by hand.
    const actionFor: Record<string, string> = {
      'arn:aws:states:::dynamodb:getItem': 'dynamodb:GetItem',
      'arn:aws:states:::dynamodb:updateItem': 'dynamodb:UpdateItem',
      'arn:aws:states:::lambda:invoke': 'lambda:InvokeFunction',
      'arn:aws:states:::sns:publish': 'sns:Publish',
      'arn:aws:states:::events:putEvents': 'events:PutEvents',
    };
    const resources = [...readAsl('escalation').matchAll(/"Resource":\s*"([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(resources.length).toBeGreaterThan(0);
    const granted = permissionsOf(template, roleId).map((line) => line.split(' ')[1]);
    for (const resource of resources) {
      expect(actionFor).toHaveProperty([resource]);
      expect(granted).toContain(actionFor[resource]);
    }
  });

  it('uses `*` only for the log-delivery actions, which CloudWatch Logs cannot scope', () => {
    const wildcards = permissionsOf(template, roleId).filter((line) => line.endsWith(' on *'));
    expect(wildcards).toEqual(allow(LOG_DELIVERY_ACTIONS, ['*']).sort());
    expect(wildcards.every((line) => line.includes(' logs:'))).toBe(true);
  });

  it('can be assumed only by Step Functions acting for this account', () => {
    expect(resourceOf(template, roleId).Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'states.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
  });
});

describe('the post-mortem reminder state machine', () => {
  const machine = resourceOf(template, postmortemMachineId);

  it('is one Standard workflow running the ASL file as written, logged like the escalations', () => {
    expect(resourcesOfType(template, 'AWS::StepFunctions::StateMachine')).toHaveLength(SEVERITIES.length + 1);
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(machine.Properties.DefinitionString).toBe(readAsl('postmortem-reminder'));
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions)).toEqual(placeholdersOf(readAsl('postmortem-reminder')));
    expect(render(substitutions.PageFunctionArn)).toBe(`<${pageFunctionId}.Arn>`);
    expect(machine.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [postmortemRoleId, 'Arn'] });
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ IncludeExecutionData: true, Level: 'ALL' });
  });

  it('has a role of its own that may invoke the page function and deliver logs, nothing more (no table access)', () => {
    expect(permissionsOf(template, postmortemRoleId)).toEqual(
      [
        ...allow(['lambda:InvokeFunction'], [`<${pageFunctionId}.Arn>`, `<${pageFunctionId}.Arn>:*`]),
        ...allow(LOG_DELIVERY_ACTIONS, ['*']),
      ].sort(),
    );
  });

  it('is covered by the role for every service integration its ASL uses', () => {
    const resources = [...readAsl('postmortem-reminder').matchAll(/"Resource":\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(resources.length).toBeGreaterThan(0);
    expect(new Set(resources)).toEqual(new Set(['arn:aws:states:::lambda:invoke']));
  });
});
