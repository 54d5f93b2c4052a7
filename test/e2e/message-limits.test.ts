/**
 * Whatever an alert holds, its page reaches the primary: the local outbox refuses a publish SNS
 * would refuse (over 256 KB), so a page in the outbox is one SNS would have taken.
 */
import { pagePublishInput, SNS_PUBLISH_MAX_BYTES, snsPublishBytes } from '../../lambdas/adapters/sns-publish.js';
import { responderById } from '../../lambdas/core/config-lookups.js';
import type { LocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventually,
  FIXTURE_TOPIC_ARN,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  startTestRuntime,
} from '../support/local.js';

describe('large alerts', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('a trigger with 190 KB of custom_details pages the primary with a publish under 256 KB', async () => {
    const customDetails = Object.fromEntries(
      Array.from({ length: 19 }, (_, i) => [`log-${i}`, `line ${i}\n${'x'.repeat(10_000)}`]),
    );
    const body = JSON.stringify({
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'large-alerts/190kb',
      payload: {
        summary: 'Checkout dumps its logs into the alert',
        source: 'checkout',
        severity: 'critical',
        custom_details: customDetails,
      },
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(190_000);
    const reply = await call(runtime, 'POST', '/v1/alerts/events', body);
    expect(reply.status).toBe(202);

    const page = await eventually(
      async () => pagesIn(await outbox(runtime)).find((item) => item.responder === 'primary-oncall'),
      'the page to the primary',
    );
    const primary = responderById(runtime.config, 'primary-oncall');
    if (!primary) throw new Error('the local config has a primary-oncall responder');
    const publish = pagePublishInput(
      {
        responder: primary,
        incidentId: page.incidentId,
        purpose: page.purpose,
        subject: page.subject,
        sms: page.sms ?? undefined,
        email: page.email ?? undefined,
      },
      page.topicArn,
    );
    expect(snsPublishBytes(publish)).toBeLessThan(SNS_PUBLISH_MAX_BYTES);
    expect(page.sms).toMatch(/^SEV1 #\d+ Checkout dumps its logs into the alert Ack: /);
    expect(page.email).toContain('>   log-0: line 0');
    expect(page.email).toMatch(/\d+ values? truncated to fit this email\. See the incident: klaxon show /);
    const stored = await incident(runtime, page.incidentId);
    expect(stored.timeline.some((entry) => entry.type === 'paged' && entry.responder === 'primary-oncall')).toBe(true);
  });

  it('the SNS and EventBridge stand-ins refuse what SNS and EventBridge would: 300 KB', async () => {
    const published = await call(runtime, 'POST', '/_local/sns/publish', {
      TopicArn: FIXTURE_TOPIC_ARN,
      Message: 'm'.repeat(300_000),
    });
    expect(published).toEqual({
      status: 400,
      body: { code: 'InvalidParameter', message: 'Invalid parameter: Message too long' },
    });
    const event = {
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      detail: { x: 'e'.repeat(300_000) },
    };
    const put = await call<{ code: string }>(runtime, 'POST', '/_local/events', event);
    expect(put.status).toBe(400);
    expect(put.body.code).toBe('ValidationException');
  });
});
