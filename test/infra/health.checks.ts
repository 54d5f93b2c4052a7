/** Klaxon watching itself: alarms to its own health topic, and a dashboard when asked for. */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ALERTS_REFUSED, INCIDENT_METRICS, METRICS_NAMESPACE } from '../../lambdas/adapters/incident-metrics.js';
import { SEVERITIES } from '../../lambdas/core/config.js';
import { KlaxonStack } from '../../lib/klaxon-stack.js';
import { defaultConfig, logicalIdOf, render, resourceOf, resourcesOfType, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const healthTopicId = idOf(klaxon.health.topic);
const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

/** `Namespace/MetricName dimension=<value>` of each alarm, to state what is watched. */
const watched = alarms
  .map((alarm) => {
    const dimensions = ((alarm.Dimensions ?? []) as { Name: string; Value: unknown }[])
      .map((dimension) => `${dimension.Name}=${render(dimension.Value)}`)
      .join(',');
    return `${alarm.Namespace}/${alarm.MetricName} ${dimensions}`;
  })
  .sort();

describe('Klaxon’s own alarms', () => {
  it('watch failed and timed-out executions of each tier’s state machine', () => {
    for (const severity of SEVERITIES) {
      const machine = `StateMachineArn=<${idOf(klaxon.escalation.stateMachines[severity])}>`;
      expect(watched).toContain(`AWS/States/ExecutionsFailed ${machine}`);
      expect(watched).toContain(`AWS/States/ExecutionsTimedOut ${machine}`);
    }
  });

  it('watch failed and timed-out executions of the post-mortem reminder state machine', () => {
    const machine = `StateMachineArn=<${idOf(klaxon.escalation.postmortemReminders)}>`;
    expect(watched).toContain(`AWS/States/ExecutionsFailed ${machine}`);
    expect(watched).toContain(`AWS/States/ExecutionsTimedOut ${machine}`);
  });

  it('watch errors and throttles of each function', () => {
    for (const fn of [klaxon.intake.function, klaxon.management.function, klaxon.paging.pageFunction]) {
      expect(watched).toContain(`AWS/Lambda/Errors FunctionName=<${idOf(fn)}>`);
      expect(watched).toContain(`AWS/Lambda/Throttles FunctionName=<${idOf(fn)}>`);
    }
  });

  it('watch the API’s 5xx answers, which alert senders get when intake fails', () => {
    expect(watched).toContain(`AWS/ApiGateway/5xx ApiId=<${idOf(klaxon.httpApi.api)}>`);
  });

  it('watch the alerts refused with a 4xx, by the series intake counts them in, next to the 5xx alarm', () => {
    const refused = alarms.filter((alarm) => alarm.MetricName === ALERTS_REFUSED);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: 'AlertsRefused',
      // The stack name is the service name the functions' metrics carry (POWERTOOLS_SERVICE_NAME).
      Dimensions: [{ Name: 'service', Value: 'Klaxon' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(((refused[0]?.AlarmActions ?? []) as unknown[]).map(render)).toEqual([`<${healthTopicId}>`]);
    expect(String(refused[0]?.AlarmDescription)).toContain(
      'a configured alert sender (its integration key or allowed SNS topic) got a 4xx',
    );
    const intakeEnv = resourceOf(template, idOf(klaxon.intake.function)).Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(intakeEnv.Variables.POWERTOOLS_SERVICE_NAME).toBe('Klaxon');
  });

  it('watch failed deliveries (SMS, email) on every responder topic, and HTTPS deliveries from the alarm topic', () => {
    for (const topic of [...klaxon.paging.topics.values(), klaxon.alarmTopic.topic]) {
      expect(watched).toContain(`AWS/SNS/NumberOfNotificationsFailed TopicName=<${idOf(topic)}.TopicName>`);
    }
  });

  it('watch the intake dead-letter queue, saying it holds alarm events and inbox chunks and how to redrive them', () => {
    expect(watched).toContain(
      `AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=<${idOf(klaxon.intake.deadLetterQueue)}.QueueName>`,
    );
    const deadLetters = alarms.filter((alarm) => alarm.Namespace === 'AWS/SQS');
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.AlarmDescription).toContain('CloudWatch alarm event');
    expect(deadLetters[0]?.AlarmDescription).toContain('Alertmanager per-alert inbox chunk');
    expect(deadLetters[0]?.AlarmDescription).toContain('{"klaxon":"redrive-inbox"}');
    // The operator who gets this alarm is sent to a page that has the redrive command.
    const [, page, section] = /\(([\w/.-]+\.md), ([^)]+)\)/.exec(String(deadLetters[0]?.AlarmDescription)) ?? [];
    expect(readFileSync(String(page), 'utf8')).toContain(`## ${section}\n`);
    expect(readFileSync(String(page), 'utf8')).toContain('"klaxon":"redrive-inbox"');
  });

  it('are redriven through the intake function, whose name the stack outputs', () => {
    expect(render(template.findOutputs('IntakeFunctionName').IntakeFunctionName?.Value)).toBe(
      `<${idOf(klaxon.intake.function)}>`,
    );
  });

  it('are exactly those, each firing on a single occurrence and quiet when there is no data', () => {
    const responderTopics = klaxon.paging.topics.size;
    // Four functions (intake, incidents-api, web-console, page-responders), errors and throttles:
    // the sign-in authorizer's failures are the API's 5xx answers, which Api-5xx watches.
    expect(alarms).toHaveLength((SEVERITIES.length + 1) * 2 + 4 * 2 + 2 + (responderTopics + 1) + 1);
    expect(alarms.map((alarm) => String(alarm.AlarmDescription))).not.toContainEqual(
      expect.stringContaining('console-authorizer'),
    );
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('all go to the health topic (alarm and recovery), never to a responder’s topic', () => {
    for (const alarm of alarms) {
      expect((alarm.AlarmActions as unknown[]).map(render)).toEqual([`<${healthTopicId}>`]);
      expect((alarm.OKActions as unknown[]).map(render)).toEqual([`<${healthTopicId}>`]);
    }
  });
});

describe('the health topic', () => {
  it('is its own topic, signed with SHA256, output for people to subscribe to', () => {
    expect(resourceOf(template, healthTopicId).Properties).toMatchObject({
      TopicName: 'Klaxon-health',
      SignatureVersion: '2',
    });
    expect(render(template.findOutputs('HealthTopicArn').HealthTopicArn?.Value)).toBe(`<${healthTopicId}>`);
  });

  it('has the subscribers given in the props, and only them', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const withSubscribers = new KlaxonStack(app, 'Klaxon', {
      config: defaultConfig(),
      healthSubscribers: { emails: ['platform@example.com'], phones: ['+15550100199'] },
    });
    const subscriptions = resourcesOfType(Template.fromStack(withSubscribers), 'AWS::SNS::Subscription')
      .map(([, subscription]) => subscription.Properties)
      .filter((subscription) => render(subscription.TopicArn) === `<${healthTopicId}>`)
      .map((subscription) => `${subscription.Protocol} ${subscription.Endpoint}`)
      .sort();
    expect(subscriptions).toEqual(['email platform@example.com', 'sms +15550100199']);
  });

  it('has no subscriber by default, and synth says so', () => {
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription').filter(
      ([, subscription]) => render(subscription.Properties.TopicArn) === `<${healthTopicId}>`,
    );
    expect(subscriptions).toEqual([]);
    const warnings = klaxon.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((e) => e.data);
    expect(warnings).toEqual([expect.stringContaining('Klaxon has no healthSubscribers')]);
  });
});

describe('the dashboard', () => {
  it('is not in the default stack, which keeps every alarm ($3 a month the operator asks for)', () => {
    expect(resourcesOfType(template, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(klaxon.health.dashboard).toBeUndefined();
    expect(template.findOutputs('DashboardName')).toEqual({});
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms).toHaveLength(klaxon.health.alarms.size);
  });

  // Its own small synth: the shared stack is the default one.
  const withDashboard = (() => {
    const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const built = new KlaxonStack(app, 'Klaxon', { config: defaultConfig(), dashboard: true });
    return { stack: built, template: Template.fromStack(built) };
  })();
  const body = () => {
    const [, dashboard] = resourcesOfType(withDashboard.template, 'AWS::CloudWatch::Dashboard')[0] ?? [];
    if (!dashboard) throw new Error('no dashboard');
    // The body is a Fn::Join of JSON text and resource references.
    return render(dashboard.Properties.DashboardBody);
  };

  it('is there with the dashboard prop, named after the prefix and output, beside the same alarms', () => {
    const dashboards = resourcesOfType(withDashboard.template, 'AWS::CloudWatch::Dashboard');
    expect(dashboards.map(([, dashboard]) => dashboard.Properties.DashboardName)).toEqual(['Klaxon-klaxon']);
    const dashboard = withDashboard.stack.klaxon.health.dashboard;
    if (!dashboard) throw new Error('no dashboard construct');
    expect(render(withDashboard.template.findOutputs('DashboardName').DashboardName?.Value)).toBe(
      `<${logicalIdOf(withDashboard.stack, dashboard)}>`,
    );
    expect(resourcesOfType(withDashboard.template, 'AWS::CloudWatch::Alarm')).toHaveLength(alarms.length);
  });

  it('graphs incidents opened and pages sent per severity, time to acknowledge, executions and every alarm', () => {
    const widgets = JSON.parse(body()).widgets as {
      properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] };
    }[];
    const widget = (title: string) => {
      const found = widgets.find((w) => w.properties.title === title);
      if (!found) throw new Error(`no widget ${title}`);
      return found.properties;
    };
    const titled = (title: string) => JSON.stringify(widget(title).metrics);
    for (const severity of SEVERITIES) {
      expect(titled('Incidents opened, per severity')).toContain(
        JSON.stringify([METRICS_NAMESPACE, INCIDENT_METRICS.opened, 'service', 'Klaxon', 'severity', severity]).slice(
          1,
          -1,
        ),
      );
      expect(titled('Pages sent, per severity')).toContain(`"${INCIDENT_METRICS.paged}"`);
      expect(titled('Time to acknowledge (p50, seconds)')).toContain(`"${INCIDENT_METRICS.acknowledged}"`);
    }
    expect(titled('Escalations started')).toContain('"ExecutionsStarted"');
    expect(titled('Escalations failed or timed out')).toContain('"ExecutionsTimedOut"');
    expect(widget('Klaxon health').alarms).toHaveLength(alarms.length);
  });
});
