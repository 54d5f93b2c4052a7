/**
 * The observability edge: EMF metrics derived from lifecycle events, contact details masked in
 * logs, the incident id as correlation id, and the signing key read once per cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { secretsManagerAckKey } from '../../lambdas/adapters/ack-key.js';
import {
  incidentIdOfApiRequest,
  incidentIdOfPageRequest,
  withIncidentCorrelation,
} from '../../lambdas/adapters/incident-correlation.js';
import { INCIDENT_METRICS, METRICS_NAMESPACE, withIncidentMetrics } from '../../lambdas/adapters/incident-metrics.js';
import { MaskingLogFormatter, maskContactDetails } from '../../lambdas/adapters/masking-log-formatter.js';
import { type LifecycleEvent, lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import type { LifecyclePublisher } from '../../lambdas/core/ports.js';
import { anIncident } from '../support/incidents.js';

/** Runs `action` and returns the JSON lines it wrote to stdout or stderr (EMF documents, log lines). */
async function outputJsonOf(action: () => Promise<unknown> | unknown): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await action();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('incident metrics (EMF)', () => {
  const opened = anIncident({ severity: 'SEV2', openedAt: '2026-11-20T10:15:00.000Z' });
  const published: LifecycleEvent[][] = [];
  const bus: LifecyclePublisher = { publish: async (events) => void published.push(events) };
  const metrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'Klaxon' });

  it('counts incidents opened and pages sent, and times acknowledgement and resolution, by severity', async () => {
    const publisher = withIncidentMetrics(bus, metrics());
    const documents = await outputJsonOf(() =>
      publisher.publish([
        lifecycleEvent('opened', opened, '2026-11-20T10:15:00.000Z'),
        lifecycleEvent('paged', opened, '2026-11-20T10:15:01.000Z', { responderId: 'primary-oncall' }),
        lifecycleEvent('acknowledged', opened, '2026-11-20T10:19:00.000Z'),
        lifecycleEvent('resolved', opened, '2026-11-20T11:15:00.000Z'),
      ]),
    );
    expect(published).toHaveLength(1);
    const values = documents.map((document) => {
      const aws = document._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
      const [definition] = aws.CloudWatchMetrics;
      const metricName = Object.values(INCIDENT_METRICS).find((name) => name in document);
      return [
        definition?.Namespace,
        definition?.Dimensions,
        document.service,
        document.severity,
        metricName,
        metricName && document[metricName],
      ];
    });
    expect(values).toEqual([
      ['Klaxon', [['service', 'severity']], 'Klaxon', 'SEV2', 'IncidentsOpened', 1],
      ['Klaxon', [['service', 'severity']], 'Klaxon', 'SEV2', 'PagesSent', 1],
      ['Klaxon', [['service', 'severity']], 'Klaxon', 'SEV2', 'TimeToAcknowledge', 240],
      ['Klaxon', [['service', 'severity']], 'Klaxon', 'SEV2', 'TimeToResolve', 3600],
    ]);
  });

  it('records nothing when the publish fails (the caller retries, and the retry counts)', async () => {
    const failing: LifecyclePublisher = {
      publish: async () => {
        throw new Error('EventBridge rejected 1 lifecycle event(s)');
      },
    };
    const publisher = withIncidentMetrics(failing, metrics());
    const documents = await outputJsonOf(() =>
      expect(publisher.publish([lifecycleEvent('opened', opened, opened.openedAt)])).rejects.toThrow('EventBridge'),
    );
    expect(documents).toEqual([]);
  });
});

describe('log masking', () => {
  it('masks E.164 phone numbers and email addresses, keeping enough to tell them apart', () => {
    expect(maskContactDetails('paged +15550100101 and alice.oncall@example.com')).toBe(
      'paged +***01 and ***@example.com',
    );
    expect(maskContactDetails('SNS: Invalid parameter: PhoneNumber +44 20 7946 0958')).toBe(
      'SNS: Invalid parameter: PhoneNumber +***58',
    );
    expect(maskContactDetails('incident 01JD6Z3ZQ7W9Y2V8K4T5R6N3M1 at 2026-11-20T10:15:00.000Z')).toBe(
      'incident 01JD6Z3ZQ7W9Y2V8K4T5R6N3M1 at 2026-11-20T10:15:00.000Z',
    );
  });

  it('masks them in the message, nested fields and errors of a Powertools log line', async () => {
    const logger = new Logger({ serviceName: 'klaxon', logFormatter: new MaskingLogFormatter() });
    const [line] = await outputJsonOf(() =>
      logger.error('Could not page +15550100102', {
        responder: { id: 'secondary-oncall', email: 'bob.oncall@example.com', phones: ['+15550100102'] },
        error: new Error('Endpoint +15550100102 is opted out'),
      }),
    );
    const text = JSON.stringify(line);
    expect(text).not.toContain('5550100102');
    expect(text).not.toContain('bob.oncall');
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'Could not page +***02',
      service: 'klaxon',
      responder: { id: 'secondary-oncall', email: '***@example.com', phones: ['+***02'] },
      error: { name: 'Error', message: 'Endpoint +***02 is opted out' },
    });
  });
});

describe('correlation id', () => {
  const context = (awsRequestId: string) =>
    ({ awsRequestId, functionName: 'page', coldStart: false }) as unknown as Context;

  it('is the incident id the event names, and the request id when it names none, afresh on each invocation', async () => {
    const logger = new Logger({ serviceName: 'klaxon', logFormatter: new MaskingLogFormatter() });
    const handler = withIncidentCorrelation(
      logger,
      async (_event: unknown) => logger.info('working'),
      incidentIdOfPageRequest,
    );
    const lines = await outputJsonOf(async () => {
      await handler({ incidentId: '01JD6Z3ZQ7W9Y2V8K4T5R6N3M1', step: {} }, context('req-1'));
      await handler({ malformed: true }, context('req-2'));
    });
    expect(lines.map((line) => line.correlation_id)).toEqual(['01JD6Z3ZQ7W9Y2V8K4T5R6N3M1', 'req-2']);
  });

  it('comes from the path of a management request', () => {
    expect(incidentIdOfApiRequest({ pathParameters: { id: '01ABC' } })).toBe('01ABC');
    expect(incidentIdOfApiRequest({ rawPath: '/v1/alerts/events' })).toBeUndefined();
  });
});

describe('Secrets Manager signing key', () => {
  const secrets = mockClient(SecretsManagerClient);
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:KlaxonAckSigningKey-AbCdEf';
  beforeEach(() => secrets.reset());

  it('is read once, by ARN, and then served from memory', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k'.repeat(64) });
    const source = secretsManagerAckKey(new SecretsManagerClient({}), arn);
    const [first, second] = await Promise.all([source.key(), source.key()]);
    const third = await source.key();
    expect(first).toEqual(Buffer.from('k'.repeat(64)));
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: arn }]);
  });

  it('tries again on the next call after a failed read, instead of caching the failure', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('ThrottlingException'))
      .resolves({ SecretString: 'k'.repeat(64) });
    const source = secretsManagerAckKey(new SecretsManagerClient({}), arn);
    await expect(source.key()).rejects.toThrow('ThrottlingException');
    await expect(source.key()).resolves.toEqual(Buffer.from('k'.repeat(64)));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a secret without a string value', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(secretsManagerAckKey(new SecretsManagerClient({}), arn).key()).rejects.toThrow('has no string value');
  });
});
