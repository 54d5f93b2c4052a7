/**
 * Escalation: one Standard state machine per severity tier, all from statemachines/escalation.asl.json
 * (loaded through lib/asl.ts, the same file the local runtime runs), sharing one hand-written
 * least-privilege role and one log group; and the post-mortem reminder state machine
 * (statemachines/postmortem-reminder.asl.json), started at each resolution, with a role of its own
 * that may only invoke the page function.
 */
import { ArnFormat, Aws, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SEVERITIES, type Severity } from '../lambdas/core/config.js';
import { type EscalationSubstitutions, type PostmortemReminderSubstitutions, readAsl } from './asl.js';

/**
 * What Step Functions needs to deliver execution logs to CloudWatch Logs. These are log-delivery
 * (vended logs) actions, which CloudWatch Logs does not scope to a resource: AWS documents them
 * with `"Resource": "*"` (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
 */
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
] as const;

/** What sending traces to X-Ray takes; X-Ray has no resource-level permissions, so `*` it is. */
export const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
] as const;

export interface EscalationWorkflowsProps {
  /** The function the "Page the responders" state invokes. */
  readonly pageFunction: lambda.IFunction;
  /**
   * How much of each execution goes to the log group.
   * @default sfn.LogLevel.ALL
   */
  readonly logLevel?: sfn.LogLevel;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * X-Ray tracing of every execution.
   * @default false
   */
  readonly tracing?: boolean;
}

export class EscalationWorkflows extends Construct {
  readonly stateMachines: Record<Severity, sfn.StateMachine>;
  readonly role: iam.Role;
  /** Reminds about a resolved incident's post-mortem before and at its deadline. */
  readonly postmortemReminders: sfn.StateMachine;
  readonly postmortemRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** `{"SEV1":"arn:…",…}`: the value of ESCALATION_STATE_MACHINES. */
  readonly stateMachineArnsJson: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EscalationWorkflowsProps,
  ) {
    super(scope, id);
    const { pageFunction } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });

    // Written out by hand and made immutable below, so no CDK helper can widen it later.
    // The page task reads the incident: the state machines themselves never touch the table.
    this.role = this.stateMachineRole(
      'Role',
      'Klaxon escalation state machines: invoke the page function, write logs',
      [],
    );

    const definition = readAsl('escalation');
    const stateMachines: Partial<Record<Severity, sfn.StateMachine>> = {};
    for (const severity of SEVERITIES) {
      const substitutions: EscalationSubstitutions = {
        PageFunctionArn: pageFunction.functionArn,
        Severity: severity,
      };
      stateMachines[severity] = this.stateMachine(severity, definition, { ...substitutions }, this.role);
    }
    this.stateMachines = stateMachines as Record<Severity, sfn.StateMachine>;

    this.postmortemRole = this.stateMachineRole(
      'PostmortemRole',
      'Klaxon post-mortem reminders: invoke the page function, write logs',
      [],
    );
    const postmortemSubstitutions: PostmortemReminderSubstitutions = { PageFunctionArn: pageFunction.functionArn };
    this.postmortemReminders = this.stateMachine(
      'PostmortemReminders',
      readAsl('postmortem-reminder'),
      { ...postmortemSubstitutions },
      this.postmortemRole,
    );
    this.stateMachineArnsJson = Stack.of(this).toJsonString(
      Object.fromEntries(SEVERITIES.map((severity) => [severity, this.stateMachines[severity].stateMachineArn])),
    );
  }

  /**
   * A role only Step Functions acting for this account may assume (confused-deputy guard), with
   * the statements every Klaxon state machine needs (invoke the page function, deliver logs,
   * traces when on) after its own.
   */
  private stateMachineRole(id: string, description: string, ownStatements: iam.PolicyStatement[]): iam.Role {
    const { pageFunction, tracing } = this.props;
    const role = new iam.Role(this, id, {
      description,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        StateMachine: new iam.PolicyDocument({
          statements: [
            ...ownStatements,
            new iam.PolicyStatement({
              sid: 'InvokeThePageFunction',
              actions: ['lambda:InvokeFunction'],
              // `:*` covers a qualified ARN (version or alias) should the definition ever use one.
              resources: [pageFunction.functionArn, `${pageFunction.functionArn}:*`],
            }),
            new iam.PolicyStatement({
              sid: 'DeliverExecutionLogs',
              actions: [...LOG_DELIVERY_ACTIONS],
              resources: ['*'],
            }),
            // Written here because the role is immutable: CDK's own X-Ray grant would be dropped.
            ...(tracing
              ? [new iam.PolicyStatement({ sid: 'SendTraces', actions: [...XRAY_ACTIONS], resources: ['*'] })]
              : []),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `Only for actions that take no resource ARN: CloudWatch Logs log delivery (${LOG_DELIVERY_ACTIONS.join(', ')})${tracing ? ` and X-Ray (${XRAY_ACTIONS.join(', ')})` : ''}; every other statement names its resource.`,
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(pageFunction.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'The page function and its qualified ARNs (versions, aliases) only: Step Functions may invoke it qualified.',
    });
    return role;
  }

  private stateMachine(
    id: string,
    definition: string,
    substitutions: Record<string, string>,
    role: iam.Role,
  ): sfn.StateMachine {
    const machine = new sfn.StateMachine(this, id, {
      stateMachineType: sfn.StateMachineType.STANDARD,
      // fromString, not fromFile: fromFile uploads an S3 asset that template tests cannot read.
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      role: role.withoutPolicyUpdates(),
      // Execution data is incident ids and ladder steps (no secrets), and it is what debugging a ladder needs.
      tracingEnabled: this.props.tracing ?? false,
      logs: {
        destination: this.logGroup,
        level: this.props.logLevel ?? sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    if (!this.props.tracing) {
      Validations.of(machine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason:
          'X-Ray tracing is the Klaxon tracing prop, off by default for its cost; every execution is logged at level ALL with its data.',
      });
    }
    return machine;
  }

  /** states:StartExecution on the tier state machines. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: SEVERITIES.map((severity) => this.stateMachines[severity].stateMachineArn),
    });
  }

  /**
   * states:StartExecution on the post-mortem reminder machine: whoever resolves an incident
   * starts its post-mortem reminders.
   */
  grantStartPostmortemReminders(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: [this.postmortemReminders.stateMachineArn],
    });
  }

  /** states:StopExecution on the executions of the tier state machines (and nothing else's). */
  grantStopExecution(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const executionsOf = (severity: Severity) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.stateMachines[severity].stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      for (const severity of SEVERITIES) {
        const machineId = stack.getLogicalId(this.stateMachines[severity].node.defaultChild as CfnElement);
        Validations.of(grantee.grantPrincipal).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machineId}.Name>:*]`,
          reason: `Executions of the ${severity} state machine only: an execution's ARN is its machine's name and the incident's execution name, which exists only at run time.`,
        });
      }
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StopExecution'],
      resourceArns: SEVERITIES.map(executionsOf),
    });
  }
}
