/**
 * A second CDK app (test/embedding) embeds Klaxon by the package's name with every default
 * changed; it must synthesize, and each prop must land where it says.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Klaxon, KlaxonPropsError } from 'klaxon';
import { XRAY_ACTIONS } from '../../lib/escalation.js';
import { REPO_ROOT } from '../../lib/klaxon-function.js';
import { buildEmbeddingApp } from '../embedding/payments-platform.js';
import {
  allow,
  defaultConfig,
  logicalIdOf,
  permissionsOf,
  render,
  resourceOf,
  resourcesOfType,
} from './klaxon-template.js';

const { stack, klaxon, key } = buildEmbeddingApp(
  // Schema validation off, as in synthKlaxon; the spawned app below synthesizes with it.
  new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } }),
);
const template = Template.fromStack(stack);
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const keyArn = `<${idOf(key)}.Arn>`;
const functions = [klaxon.intake.function, klaxon.management.function, klaxon.paging.pageFunction];

describe('an app embedding Klaxon with non-default props', () => {
  it('synthesizes as its own CDK app, importing Klaxon by the package name', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'klaxon-embedding-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/embedding/app.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const synthesized = JSON.parse(readFileSync(join(outdir, 'PaymentsPlatform.template.json'), 'utf8'));
    expect(
      Object.values(synthesized.Resources).filter((r) => (r as { Type: string }).Type === 'AWS::Lambda::Function'),
    ).toHaveLength(5);
  });

  it('encrypts the table and the signing secret with the team’s key', () => {
    expect(resourceOf(template, idOf(klaxon.store.table)).Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [idOf(key), 'Arn'] },
    });
    expect(render(resourceOf(template, idOf(klaxon.ackSigningKey.secret)).Properties.KmsKeyId)).toBe(keyArn);
  });

  it('gives the state machines nothing with the key: they read no table, their page task does', () => {
    expect(permissionsOf(template, idOf(klaxon.escalation.role)).filter((line) => line.includes(' kms:'))).toEqual([]);
  });

  it('lets each function use the key for the table (and the secret, for the two that read it)', () => {
    for (const fn of functions) {
      const kmsLines = permissionsOf(template, idOf(fn.role ?? fn)).filter((line) => line.includes(' kms:'));
      expect(kmsLines).toEqual(
        expect.arrayContaining([`Allow kms:Decrypt on ${keyArn}`, `Allow kms:Encrypt on ${keyArn}`]),
      );
    }
  });

  it('traces the functions and the state machines with X-Ray', () => {
    for (const fn of functions) {
      expect(resourceOf(template, idOf(fn)).Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    for (const machine of Object.values(klaxon.escalation.stateMachines)) {
      expect(resourceOf(template, idOf(machine)).Properties.TracingConfiguration).toEqual({ Enabled: true });
    }
    // The escalation role is immutable, so its X-Ray permissions are written into it.
    expect(permissionsOf(template, idOf(klaxon.escalation.role))).toEqual(
      expect.arrayContaining(allow(XRAY_ACTIONS, ['*'])),
    );
  });

  it('names what people see after its prefix, and tags its metrics with it', () => {
    const names = resourcesOfType(template, 'AWS::SNS::Topic').map(([, topic]) => topic.Properties.TopicName as string);
    expect(names.sort()).toEqual(
      [
        'payments-oncall-alarms',
        'payments-oncall-health',
        ...[...klaxon.paging.topics.keys()].map((id) => `payments-oncall-responder-${id}`),
      ].sort(),
    );
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'payments-oncall-incidents' });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'payments-oncall-klaxon' });
    for (const fn of functions) {
      const variables = (
        resourceOf(template, idOf(fn)).Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe('payments-oncall');
    }
  });
});

describe('Klaxon props', () => {
  const build = (props: Partial<ConstructorParameters<typeof Klaxon>[2]>) => () =>
    new Klaxon(new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Team'), 'Klaxon', {
      config: defaultConfig(),
      ...props,
    });

  it.each([
    [{ namePrefix: 'on call!' }, /namePrefix "on call!" must be 1 to 64 letters, digits/],
    [{ namePrefix: 'x'.repeat(65) }, /namePrefix .* must be 1 to 64/],
    [
      { healthSubscribers: { emails: ['platform-team'] } },
      /healthSubscribers\.emails\[0\] "platform-team" is not an email/,
    ],
    [{ healthSubscribers: { phones: ['555-0199'] } }, /healthSubscribers\.phones\[0\] "555-0199" must be an E\.164/],
  ])('refuses %j with a message naming the prop', (props, message) => {
    expect(build(props)).toThrow(KlaxonPropsError);
    expect(build(props)).toThrow(message);
  });
});
