/**
 * Property-based tests over every intake parser: whatever arrives, a parser either returns a
 * well-formed value or refuses with a 4xx that says why; it never throws anything else.
 */
import fc from 'fast-check';
import {
  checkSigningCertUrl,
  SignatureRejectedError,
  snsSignatureVerifier,
} from '../../lambdas/adapters/sns-signature.js';
import { scopedDedupKey } from '../../lambdas/core/alert.js';
import {
  alarmChangeFromEvent,
  alarmChangeFromSns,
  alertFromAlarmStateChange,
  alertFromEventsV2,
} from '../../lambdas/core/alert-sources.js';
import { alertFromAlertmanager } from '../../lambdas/core/alertmanager.js';
import { parseConfig, SEVERITIES } from '../../lambdas/core/config.js';
import { globMatches, routeAlert } from '../../lambdas/core/routing.js';
import { severityFromDescription } from '../../lambdas/core/severity.js';
import {
  HttpError,
  type HttpEvent,
  MAX_JSON_DEPTH,
  readJsonBody,
  refuseHostileShape,
} from '../../lambdas/handlers/http.js';
import { alertmanagerWebhookSchema } from '../../lambdas/schemas/alertmanager.js';
import { cloudWatchAlarmEventSchema } from '../../lambdas/schemas/cloudwatch-alarm-event.js';
import { cloudWatchSnsAlarmSchema } from '../../lambdas/schemas/cloudwatch-sns-alarm.js';
import { eventsV2Schema } from '../../lambdas/schemas/events-v2.js';
import { snsMessageSchema } from '../../lambdas/schemas/sns-message.js';
import { LocalSns, localSigningIdentity } from '../../local/sns-stand-in.js';
import { fixture } from '../support/fixtures.js';
import { testConfig } from '../support/local.js';

const config = parseConfig({
  ...testConfig(),
  routes: [
    { name: 'payments', match: { alarmName: 'pay*' }, service: 'payments' },
    { name: 'db', match: { labels: { team: 'db' } }, service: 'database', defaultSeverity: 'SEV1' },
    { name: 'tagged', match: { descriptionTag: 'team=search' }, service: 'search', severity: 'SEV4' },
  ],
});

const httpEvent = (body: Buffer, contentType = 'application/json'): HttpEvent =>
  // Only what readJsonBody reads of an API Gateway event.
  ({
    headers: { 'content-type': contentType },
    body: body.toString('base64'),
    isBase64Encoded: true,
  }) as unknown as HttpEvent;

/** Runs `parse`; a refusal must be a 4xx HttpError with a message, anything else fails the property. */
function refusedOrValue<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBeGreaterThanOrEqual(400);
    expect((error as HttpError).statusCode).toBeLessThan(500);
    expect((error as HttpError).message.length).toBeGreaterThan(0);
    return undefined;
  }
}

/** A valid payload with one field (at any depth it names) replaced by an arbitrary JSON value. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  return fc.tuple(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 })).map(([key, value]) => ({
    ...base,
    [key]: value,
  }));
}

const severities = new Set<string>(SEVERITIES);

describe('readJsonBody', () => {
  it('returns a plain object or refuses with a 4xx, for any bytes and content type', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('application/json', 'text/plain', 'application/xml', 'application/vnd.api+json'),
        (bytes, type) => {
          const value = refusedOrValue(() =>
            readJsonBody(httpEvent(Buffer.from(bytes), type), { alsoTextPlain: true }),
          );
          if (value !== undefined) expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives back any JSON object it accepts unchanged', () => {
    const safe = fc
      .dictionary(
        fc.string().filter((key) => !['__proto__', 'constructor', 'prototype'].includes(key)),
        fc.jsonValue({ maxDepth: 4 }),
      )
      .filter((value) => !JSON.stringify(value).match(/"(__proto__|constructor|prototype)":/));
    fc.assert(
      fc.property(safe, (value) => {
        // JSON itself cannot carry -0 (it becomes 0): compare with what the text says.
        const text = JSON.stringify(value);
        expect(readJsonBody(httpEvent(Buffer.from(text)))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses nesting deeper than the limit and accepts it up to the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (depth) => {
        let value: unknown = 1;
        for (let level = 0; level < depth; level++) value = { a: value };
        let refusal: unknown;
        try {
          refuseHostileShape(value);
        } catch (error) {
          refusal = error;
        }
        expect(refusal === undefined ? 'accepted' : (refusal as HttpError).statusCode).toBe(
          depth > MAX_JSON_DEPTH ? 400 : 'accepted',
        );
      }),
    );
  });
});

describe('alarm parsers', () => {
  const snsAlarm = fixture('cloudwatch/metric-alarm.json');
  const compositeAlarm = fixture('cloudwatch/composite-alarm.json');
  const eventBridgeAlarm = fixture('eventbridge/alarm-state-change.json');

  it('SNS alarm messages: parsed to an alert whose region is the ARN region, or refused; never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(mutated(snsAlarm), mutated(compositeAlarm), fc.jsonValue()), (message) => {
        const parsed = cloudWatchSnsAlarmSchema.safeParse(message);
        if (!parsed.success) return;
        const change = alarmChangeFromSns(parsed.data, 'message-id', '2026-11-20T10:15:02.051Z');
        expect(parsed.data.AlarmArn).toContain(`:cloudwatch:${change.region}:`);
        const alert = alertFromAlarmStateChange(config, change);
        if (alert) expect(severities.has(routeAlert(config, alert).severity)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('EventBridge alarm events: parsed or refused; never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(mutated(eventBridgeAlarm), fc.jsonValue()), (event) => {
        const parsed = cloudWatchAlarmEventSchema.safeParse(event);
        if (!parsed.success) return;
        const alert = alertFromAlarmStateChange(config, alarmChangeFromEvent(parsed.data));
        if (alert) expect(alert.deliveryId).toBe(`eventbridge:${parsed.data.id}`);
      }),
      { numRuns: 300 },
    );
  });

  it('SNS envelopes: the schema decides without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(mutated(fixture('cloudwatch/sns-notification.json')), fc.anything()), (body) => {
        const parsed = snsMessageSchema.safeParse(body);
        if (parsed.success)
          expect(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']).toContain(parsed.data.Type);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Alertmanager and Events v2 parsers', () => {
  it('Alertmanager: one alert per fingerprint, firing triggers and resolved resolves', () => {
    const alert = fc.record({
      status: fc.constantFrom('firing', 'resolved'),
      labels: fc.dictionary(fc.constantFrom('alertname', 'severity', 'service', 'team', 'x'), fc.string()),
      annotations: fc.dictionary(fc.constantFrom('summary', 'description', 'runbook_url'), fc.string()),
      fingerprint: fc.string({ minLength: 1, maxLength: 300 }),
      startsAt: fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(alert, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('firing', 'resolved'),
        (alerts, status) => {
          const parsed = alertmanagerWebhookSchema.safeParse({
            ...fixture<Record<string, unknown>>('alertmanager/firing.json'),
            status,
            alerts,
          });
          if (!parsed.success) {
            expect(alerts.some((entry) => entry.fingerprint.length > 255)).toBe(true);
            return;
          }
          for (const entry of parsed.data.alerts) {
            const result = alertFromAlertmanager(parsed.data, entry, 'test', '2026-11-20T10:00:00.000Z');
            expect(result.dedupKey).toBe(entry.fingerprint);
            expect(result.action).toBe(entry.status === 'firing' ? 'trigger' : 'resolve');
            expect(Number.isNaN(Date.parse(result.occurredAt))).toBe(false);
            expect(severities.has(routeAlert(config, result).severity)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("Events v2: what parses keeps PagerDuty's limits", () => {
    fc.assert(
      fc.property(
        fc.record({
          routing_key: fc.string(),
          event_action: fc.constantFrom('trigger', 'acknowledge', 'resolve', 'explode'),
          dedup_key: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
          payload: fc.record({
            summary: fc.string({ maxLength: 1100 }),
            source: fc.string({ maxLength: 20 }),
            severity: fc.constantFrom('critical', 'error', 'warning', 'info', 'apocalyptic'),
          }),
        }),
        (body) => {
          const parsed = eventsV2Schema.safeParse(body);
          if (!parsed.success) return;
          const alert = alertFromEventsV2(parsed.data, 'test', 'generated', '2026-11-20T10:00:00.000Z');
          expect(alert.dedupKey.length).toBeLessThanOrEqual(255);
          expect(alert.summary.length).toBeLessThanOrEqual(1024);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scoped dedup keys', () => {
  const source = fc.constantFrom('events-v2' as const, 'alertmanager' as const);
  // Names like the local default's "local-dev (key: …)" hold ':', the separator: the keys must still not meet.
  const text = fc.string({ unit: fc.constantFrom('a', ':', '@', '%', ' ') });

  it('two different (source, integration, dedup key) give two different keys', () => {
    fc.assert(
      fc.property(source, text, text, source, text, text, (s1, i1, k1, s2, i2, k2) => {
        fc.pre(s1 !== s2 || i1 !== i2 || k1 !== k2);
        expect(scopedDedupKey({ source: s1, integration: i1, dedupKey: k1 })).not.toBe(
          scopedDedupKey({ source: s2, integration: i2, dedupKey: k2 }),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('an integration-scoped key never equals the source:key of an alert without an integration (CloudWatch)', () => {
    fc.assert(
      fc.property(source, text, text, source, text, (s1, integration, k1, s2, k2) => {
        expect(scopedDedupKey({ source: s1, integration, dedupKey: k1 })).not.toBe(
          scopedDedupKey({ source: s2, dedupKey: k2 }),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('keeps source:key where there is no integration (CloudWatch)', () => {
    expect(scopedDedupKey({ source: 'cloudwatch', dedupKey: 'arn:aws:cloudwatch:us-east-1:1:alarm:a' })).toBe(
      'cloudwatch:arn:aws:cloudwatch:us-east-1:1:alarm:a',
    );
    expect(scopedDedupKey({ source: 'events-v2', dedupKey: 'disk-full' })).toBe('events-v2:disk-full');
  });

  it('is carried by both integration-key parsers, so the incident can keep it', () => {
    const request = eventsV2Schema.parse(fixture('events-v2/trigger.json'));
    expect(alertFromEventsV2(request, 'team-b', 'generated', '2026-11-20T10:00:00.000Z').integration).toBe('team-b');
    const webhook = alertmanagerWebhookSchema.parse(fixture('alertmanager/firing.json'));
    const [entry] = webhook.alerts;
    if (!entry) throw new Error('the fixture has an alert');
    expect(alertFromAlertmanager(webhook, entry, 'team-b', '2026-11-20T10:00:00.000Z').integration).toBe('team-b');
  });
});

describe('severity, routing and certificate URL rules', () => {
  it('reads a severity or falls back, from any description', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (description) => {
        expect(severities.has(severityFromDescription(config, description, 'SEV3').severity)).toBe(true);
      }),
    );
  });

  it('matches globs exactly as the equivalent regular expression', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*]{0,8}$/), fc.stringMatching(/^[ab]{0,10}$/), (pattern, text) => {
        const oracle = new RegExp(`^${pattern.replaceAll('*', '.*')}$`).test(text);
        expect(globMatches(pattern, text)).toBe(oracle);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts a SigningCertURL only over https from the SNS host of the topic's region", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl(),
          fc
            .constantFrom('http', 'https', 'ftp')
            .chain((scheme) =>
              fc
                .tuple(
                  fc.constantFrom(
                    'sns.us-east-1.amazonaws.com',
                    'sns.amazonaws.com',
                    'evil.com',
                    'sns.eu-west-1.amazonaws.com.cn',
                  ),
                  fc.stringMatching(/^[A-Za-z0-9]{30,34}$/),
                )
                .map(([host, id]) => `${scheme}://${host}/SimpleNotificationService-${id}.pem`),
            ),
        ),
        (text) => {
          try {
            const url = checkSigningCertUrl(text, 'arn:aws:sns:us-east-1:123456789012:alarms');
            expect(url.protocol).toBe('https:');
            expect(url.hostname).toBe('sns.us-east-1.amazonaws.com');
          } catch (error) {
            expect(error).toBeInstanceOf(SignatureRejectedError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('SNS signatures', () => {
  let sns: LocalSns;
  beforeAll(async () => {
    sns = new LocalSns(await localSigningIdentity());
  });

  it('accepts what was signed (versions 1 and 2) and refuses any change to a signed field', async () => {
    const verifier = snsSignatureVerifier(sns.certificateFetcher());
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 500 }),
        fc.constantFrom('1', '2') as fc.Arbitrary<'1' | '2'>,
        fc.constantFrom('Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn'),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (message, version, field, change) => {
          const envelope = sns.sign(
            {
              ...sns.notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: message, Subject: 's' }),
            },
            version,
          );
          await expect(verifier.verify(envelope)).resolves.toBeUndefined();
          const tampered = { ...envelope, [field]: `${envelope[field]}${change}` };
          await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(SignatureRejectedError);
        },
      ),
      { numRuns: 60 },
    );
  });
});
