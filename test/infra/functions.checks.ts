import { join } from 'node:path';
import { CONFIG_DEFINE } from '../../lambdas/adapters/environment.js';
import { parseConfig, SEVERITIES } from '../../lambdas/core/config.js';
import { klaxonBundling, REPO_ROOT } from '../../lib/klaxon-function.js';
import {
  defaultConfig,
  logicalIdOf,
  render,
  resourceOf,
  resourcesOfType,
  sharedKlaxon,
  synthKlaxon,
} from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const functions = {
  intake: klaxon.intake.function,
  'incidents-api': klaxon.management.function,
  'page-responders': klaxon.paging.pageFunction,
  'console-authorizer': klaxon.signIn.authorizerFunction,
};
const propertiesOf = (fn: (typeof functions)[keyof typeof functions]) =>
  resourceOf(template, logicalIdOf(stack, fn)).Properties;
const variablesOf = (fn: (typeof functions)[keyof typeof functions]) =>
  (propertiesOf(fn).Environment as { Variables: Record<string, unknown> }).Variables;
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);

describe('Klaxon functions', () => {
  it('are exactly the five handlers (no helper functions such as log-retention custom resources)', () => {
    template.resourceCountIs('AWS::Lambda::Function', 5);
  });

  it.each(Object.entries(functions))('%s runs on nodejs24.x, arm64, 256 MB, from an ESM bundle', (_, fn) => {
    expect(propertiesOf(fn)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Handler: 'index.handler',
    });
    // Source-mapped stack traces cost every cold start: only with the sourceMaps prop.
    expect(variablesOf(fn).NODE_OPTIONS).toBeUndefined();
  });

  it('every one, chat functions included, traces through the source maps with the sourceMaps prop', () => {
    const withMaps = synthKlaxon(defaultConfig(), {
      sourceMaps: true,
      chat: { slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' }] },
    });
    const options = resourcesOfType(withMaps.template, 'AWS::Lambda::Function').map(
      ([, fn]) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS,
    );
    expect(options).toEqual(Array(7).fill('--enable-source-maps'));
  });

  it('give the API functions 10 s and the page function 30 s', () => {
    expect(propertiesOf(functions.intake).Timeout).toBe(10);
    expect(propertiesOf(functions['incidents-api']).Timeout).toBe(10);
    expect(propertiesOf(functions['page-responders']).Timeout).toBe(30);
  });

  it.each(Object.entries(functions))('%s logs to its own log group, kept three months', (_, fn) => {
    const logGroup = propertiesOf(fn).LoggingConfig as { LogGroup: unknown };
    expect(render(logGroup.LogGroup)).toMatch(/^<\w+LogGroup\w+>$/);
    const logGroupId = render(logGroup.LogGroup).slice(1, -1);
    expect(resourceOf(template, logGroupId).Properties.RetentionInDays).toBe(90);
  });
});

/** What a function that makes run-time one-time schedules reads (lib/runtime-schedules.ts). */
const SCHEDULING_VARIABLES = ['FUNCTION_ARN_PREFIX', 'SCHEDULER_ROLE_ARN', 'SCHEDULE_GROUP', 'SCHEDULE_TARGETS'];

describe('function environments', () => {
  const escalationMachinesOf = (fn: (typeof functions)[keyof typeof functions]) =>
    JSON.parse(render(variablesOf(fn).ESCALATION_STATE_MACHINES)) as Record<string, string>;

  it.each(['intake', 'incidents-api'] as const)('%s gets the table, the bus and each tier’s state machine', (name) => {
    const fn = functions[name];
    expect(Object.keys(variablesOf(fn)).sort()).toEqual(
      [
        'ESCALATION_STATE_MACHINES',
        'EVENT_BUS_NAME',
        'POSTMORTEM_STATE_MACHINE',
        'POWERTOOLS_SERVICE_NAME',
        'TABLE_NAME',
        // intake accepts alarm notifications from the intake topic; incidents-api verifies ack links.
        name === 'intake' ? 'ALLOWED_SNS_TOPIC_ARNS' : 'ACK_SIGNING_SECRET_ARN',
        ...SCHEDULING_VARIABLES,
      ].sort(),
    );
    expect(variablesOf(fn).POWERTOOLS_SERVICE_NAME).toBe('Klaxon');
    expect(render(variablesOf(fn).TABLE_NAME)).toBe(`<${idOf(klaxon.store.table)}>`);
    expect(render(variablesOf(fn).EVENT_BUS_NAME)).toBe(`<${idOf(klaxon.eventBus.bus)}>`);
    // Ref of a state machine is its ARN; each tier must point at the machine substituted for that tier.
    expect(escalationMachinesOf(fn)).toEqual(
      Object.fromEntries(
        SEVERITIES.map((severity) => [severity, `<${idOf(klaxon.escalation.stateMachines[severity])}>`]),
      ),
    );
    // Resolving starts the post-mortem reminders.
    expect(render(variablesOf(fn).POSTMORTEM_STATE_MACHINE)).toBe(`<${idOf(klaxon.escalation.postmortemReminders)}>`);
    for (const [severity, ref] of Object.entries(escalationMachinesOf(fn))) {
      const machine = resourceOf(template, ref.slice(1, -1));
      expect((machine.Properties.DefinitionSubstitutions as { Severity: string }).Severity).toBe(severity);
    }
  });

  it('page-responders gets the table, the bus, the responder topic prefix and the API base URL', () => {
    const variables = variablesOf(functions['page-responders']);
    expect(Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, render(value)]))).toEqual({
      TABLE_NAME: `<${idOf(klaxon.store.table)}>`,
      EVENT_BUS_NAME: `<${idOf(klaxon.eventBus.bus)}>`,
      RESPONDER_TOPIC_ARN_PREFIX: 'arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:Klaxon-responder-',
      PUBLIC_BASE_URL: `<${idOf(klaxon.httpApi.api)}.ApiEndpoint>`,
      ACK_SIGNING_SECRET_ARN: `<${idOf(klaxon.ackSigningKey.secret)}>`,
      POWERTOOLS_SERVICE_NAME: 'Klaxon',
      SCHEDULE_GROUP: 'Klaxon',
      SCHEDULER_ROLE_ARN: `<${idOf(klaxon.schedules.role)}.Arn>`,
      SCHEDULE_TARGETS: '{"page":"self"}',
      FUNCTION_ARN_PREFIX: 'arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:',
    });
  });

  it('the lifecycle bus is named after the stack', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'Klaxon-incidents' });
  });
});

describe('bundling (skipped in these tests, so checked on its options)', () => {
  const config = defaultConfig();
  const bundling = klaxonBundling(parseConfig(config), 'lambdas/entry/intake.ts', '/asset-output');

  it('builds ESM for Node 24 with a require shim, minified, with source maps', () => {
    expect(bundling).toMatchObject({
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      outdir: '/asset-output',
    });
    expect(bundling.banner?.js).toContain('createRequire');
    expect(bundling.banner?.js).toContain('const require =');
  });

  it('writes index.mjs, the handler Lambda loads, and the chunks it imports on first use, all ESM', () => {
    expect(bundling.entryPoints).toEqual({ index: join(REPO_ROOT, 'lambdas/entry/intake.ts') });
    expect(bundling).toMatchObject({ splitting: true, entryNames: '[name]', outExtension: { '.js': '.mjs' } });
  });

  it('bundles the AWS SDK instead of leaving it to the runtime (bundles.test.ts loads the result)', () => {
    expect(bundling.external ?? []).toEqual([]);
    expect(bundling.packages).toBeUndefined();
  });

  it('compiles the validated config in as a string literal, which the functions read back as is, defaults filled in', () => {
    const literal = bundling.define?.[CONFIG_DEFINE];
    expect(typeof literal).toBe('string');
    const text = JSON.parse(literal as string) as string;
    expect(JSON.parse(text)).toEqual(parseConfig(config));
  });
});
