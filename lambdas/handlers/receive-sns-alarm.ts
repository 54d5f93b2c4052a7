/**
 * POST /v1/alerts/cloudwatch: CloudWatch alarms through an SNS HTTPS subscription.
 * validate the envelope → check what needs no network (topic allowed, certificate and subscribe
 * URLs on the topic's SNS host, Timestamp in its window) → fetch the certificate and verify SNS's
 * signature → act by type:
 * a Notification is an alarm state change, a SubscriptionConfirmation is confirmed, an
 * UnsubscribeConfirmation is logged as an error and recorded (someone cut the pager off).
 */
import middy from '@middy/core';
import { checkSnsEnvelope, checkSubscribeUrl } from '../adapters/sns-signature.js';
import { alarmChangeFromSns, alertFromAlarmStateChange } from '../core/alert-sources.js';
import { receiveAlert } from '../core/intake.js';
import { loadOnce } from '../core/load-once.js';
import type { SnsMessage } from '../schemas/sns-message.js';
import type { IntakeHandlerDeps } from './deps.js';
import { BadRequestError, type HttpEvent, type HttpResult, json, jsonErrors, readJsonBody } from './http.js';
import { describeValidation } from './validation.js';

const cloudWatchSnsAlarmSchemas = loadOnce(() => import('../schemas/cloudwatch-sns-alarm.js'));
const snsMessageSchemas = loadOnce(() => import('../schemas/sns-message.js'));

/**
 * Nothing is fetched for a body that fails a check made without the network: a stranger's body
 * gets 403, never a 503 (which SNS would retry and which trips the operators' 5xx alarm). A
 * certificate that passed every check and cannot be fetched now is a 503: SNS retries.
 */
async function verified(deps: IntakeHandlerDeps, message: SnsMessage): Promise<void> {
  checkSnsEnvelope(message, deps.config.snsTopicArns, deps.clock.now());
  await deps.sns.verifier.verify(message);
}

export const receiveSnsAlarm =
  (deps: IntakeHandlerDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const [{ snsMessageSchema }, { cloudWatchSnsAlarmSchema }] = await Promise.all([
      snsMessageSchemas(),
      cloudWatchSnsAlarmSchemas(),
    ]);
    const parsed = snsMessageSchema.safeParse(readJsonBody(event, { alsoTextPlain: true }));
    if (!parsed.success) throw new BadRequestError(describeValidation('Not an SNS message', parsed.error));
    const message = parsed.data;
    await verified(deps, message);

    if (message.Type === 'SubscriptionConfirmation') {
      // Checked before the signature; parsed again here for the URL to visit.
      await deps.sns.confirmSubscription(checkSubscribeUrl(message.SubscribeURL, message.TopicArn));
      deps.logger.info('SNS subscription confirmed', { topicArn: message.TopicArn });
      return json(200, { status: 'confirmed', topicArn: message.TopicArn });
    }
    if (message.Type === 'UnsubscribeConfirmation') {
      const text = `SNS topic ${message.TopicArn} unsubscribed Klaxon: its alarms no longer reach the pager. Resubscribe the endpoint.`;
      deps.logger.error(text, { topicArn: message.TopicArn, messageId: message.MessageId });
      await deps.records.recordNotice({
        kind: 'sns-unsubscribed',
        // SNS's own timestamp: unchanged when SNS redelivers, so the notice is recorded once.
        at: message.Timestamp,
        id: message.MessageId,
        message: text,
        topicArn: message.TopicArn,
      });
      return json(200, { status: 'recorded', topicArn: message.TopicArn });
    }

    let body: unknown;
    try {
      body = JSON.parse(message.Message);
    } catch {
      throw new BadRequestError('The SNS Message is not JSON; this endpoint takes CloudWatch alarm notifications');
    }
    const alarm = cloudWatchSnsAlarmSchema.safeParse(body);
    if (!alarm.success) {
      throw new BadRequestError(
        describeValidation('The SNS Message is not a CloudWatch alarm', alarm.error, 'Message'),
      );
    }
    const change = alarmChangeFromSns(alarm.data, message.MessageId, message.Timestamp);
    const alert = alertFromAlarmStateChange(deps.config, change);
    if (!alert) {
      deps.logger.info(`Alarm ${change.alarmName} in ${change.state} is not an alert for its tier; ignored`);
      return json(200, { status: 'ignored', reason: `${change.state} is ignored for this alarm's tier` });
    }
    const result = await receiveAlert(deps, alert);
    const incidentId = 'incident' in result ? result.incident.id : undefined;
    deps.logger.info(`SNS alarm ${alert.title} → ${result.outcome}`, { incidentId, deliveryId: alert.deliveryId });
    return json(200, { status: 'success', outcome: result.outcome, incidentId: incidentId ?? null });
  };

export const makeReceiveSnsAlarmHandler = (deps: IntakeHandlerDeps) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(receiveSnsAlarm(deps));
