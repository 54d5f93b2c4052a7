/**
 * Test helpers for the infrastructure tests: the Klaxon stack built from the roster of
 * klaxon.config.json with a deployable integration key and esbuild bundling skipped, and a readable rendering of CloudFormation
 * intrinsics so assertions can state exact ARNs and permissions.
 */
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { KlaxonConfigInput } from '../../lambdas/core/config.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../lib/config-file.js';
import { REPO_ROOT } from '../../lib/klaxon-function.js';
import { KlaxonStack, type KlaxonStackProps } from '../../lib/klaxon-stack.js';

/** The local config as `npm start` uses it, with the public local key: synth refuses it. */
export const localConfig = (): KlaxonConfigInput => loadConfigFile(join(REPO_ROOT, DEFAULT_CONFIG_FILE)).raw;

/** A deployable key entry: the SHA-256 of 32 random bytes that were thrown away, so no key matches it. */
export const DEPLOY_KEY_ENTRY = {
  name: 'infra-test',
  sha256: '864ac8a7590a80f7db416c7d17883ea7ae2d1e21a31678217240a2bc5e0ab5ef',
} as const;

/** The local config's roster and policy with a deployable key in place of the local one. */
export const defaultConfig = (): KlaxonConfigInput => ({
  ...localConfig(),
  integrationKeys: [{ ...DEPLOY_KEY_ENTRY }],
});

/**
 * The stack as `cdk synth` builds it, minus bundling (an empty bundling-stacks list skips esbuild)
 * and minus CDK's built-in CloudFormation schema validation: a WebAssembly engine that costs about
 * 5 s a synth and whose findings are only warnings. config.test.ts synthesizes the app as `cdk synth`
 * does, validation included, and expects nothing on stderr.
 */
export function synthKlaxon(config: KlaxonConfigInput = defaultConfig(), props: Omit<KlaxonStackProps, 'config'> = {}) {
  const app = new App({
    analyticsReporting: false,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new KlaxonStack(app, 'Klaxon', { ...props, config });
  return { stack, klaxon: stack.klaxon, template: Template.fromStack(stack) };
}

let shared: ReturnType<typeof synthKlaxon> | undefined;

/**
 * The stack of the default config, synthesized once per test file and shared by the checks that
 * only read it (stack.test.ts runs them all in one file: one load of aws-cdk-lib, one synth).
 * A check that adds to a stack or applies Aspects (cdk-nag) synthesizes its own.
 */
export function sharedKlaxon(): ReturnType<typeof synthKlaxon> {
  shared ??= synthKlaxon();
  return shared;
}

/** The default config plus a weekly rotation filling two roles, an unused one and an override. */
export function withRotations(): KlaxonConfigInput {
  const config = defaultConfig();
  const [team, ...others] = config.teams;
  if (!team) throw new Error('The default config has no team');
  return {
    ...config,
    teams: [
      {
        ...team,
        rotations: [
          {
            id: 'primary-weekly',
            every: 'week',
            handoffDay: 'monday',
            handoffTime: '09:00',
            timeZone: 'Europe/Berlin',
            start: '2026-11-02',
            members: ['primary-oncall', 'secondary-oncall'],
          },
          {
            id: 'unused-daily',
            every: 'day',
            handoffTime: '18:30',
            timeZone: 'America/New_York',
            start: '2026-11-02',
            members: ['eng-manager'],
          },
        ],
        onCall: { primary: { rotation: 'primary-weekly' }, secondary: { rotation: 'primary-weekly', shift: 1 } },
        overrides: [
          {
            role: 'primary',
            responder: 'eng-manager',
            from: '2026-12-24T08:00:00+01:00',
            to: '2026-12-27T09:00:00+01:00',
          },
        ],
      },
      ...others,
    ],
  };
}

export type CfnResource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };

export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export function resourceOf(template: Template, logicalId: string): CfnResource {
  const resource = (template.toJSON().Resources as Record<string, CfnResource>)[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  return resource;
}

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.toJSON().Resources as Record<string, CfnResource>).filter(([, r]) => r.Type === type);
}

/**
 * Renders a CloudFormation value as text: `{Ref: X}` → `<X>`, `{Fn::GetAtt: [X, Arn]}` →
 * `<X.Arn>`, `Fn::Join` joined. So `arn:<AWS::Partition>:sns:…` reads as the ARN it becomes.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) return `<${String(intrinsic.Ref)}>`;
  if ('Fn::GetAtt' in intrinsic) return `<${(intrinsic['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
};
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Everything a role may do, one line per action and resource (`Allow dynamodb:GetItem on <Table.Arn>`),
 * from its inline policies, the AWS::IAM::Policy resources attached to it and its managed
 * policies, sorted: compare with toEqual to state the role's permissions exactly.
 */
export function permissionsOf(template: Template, roleLogicalId: string): string[] {
  const role = resourceOf(template, roleLogicalId);
  const inline = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  const attached = resourcesOfType(template, 'AWS::IAM::Policy')
    .map(([, policy]) => policy.Properties)
    .filter((policy) => (policy.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleLogicalId)) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  const statements = [...inline, ...attached].flatMap((policy) => policy.PolicyDocument.Statement);
  const managed = ((role.Properties.ManagedPolicyArns ?? []) as unknown[]).map(
    (arn) => `Managed policy ${render(arn)}`,
  );
  return [
    ...managed,
    ...statements.flatMap((statement) =>
      asArray(statement.Action).flatMap((action) =>
        (statement.NotResource === undefined
          ? asArray(statement.Resource).map(render)
          : asArray(statement.NotResource).map((resource) => `everything but ${render(resource)}`)
        ).map(
          (resource) =>
            `${statement.Effect} ${action} on ${resource}${statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : ''}`,
        ),
      ),
    ),
  ].sort();
}

/** The lines permissionsOf gives for these actions on these (rendered) resources. */
export function allow(actions: readonly string[], resources: readonly string[]): string[] {
  return actions.flatMap((action) => resources.map((resource) => `Allow ${action} on ${resource}`));
}

/** The one item of a list; throws (failing the test) when there are none or several. */
export function onlyOne<T>(items: readonly T[], what: string): T {
  const [first, ...rest] = items;
  if (first === undefined || rest.length > 0) throw new Error(`Expected exactly one ${what}, found ${items.length}`);
  return first;
}
