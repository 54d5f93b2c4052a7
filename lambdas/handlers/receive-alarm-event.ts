/** EventBridge target: a "CloudWatch Alarm State Change" event opens or resolves an incident. */
import middy from '@middy/core';
import { alertFromAlarmEvent } from '../core/alert-sources.js';
import { receiveAlert } from '../core/intake.js';
import { loadOnce } from '../core/load-once.js';
import type { HandlerDeps } from './deps.js';
import { describeValidation } from './validation.js';

const cloudWatchAlarmEventSchemas = loadOnce(() => import('../schemas/cloudwatch-alarm-event.js'));

/** Its name is what a failed invocation reports; retrying such an event cannot help. */
export class InvalidAlarmEventError extends Error {
  override name = 'InvalidAlarmEventError';
}

export interface AlarmEventResult {
  outcome: string;
  incidentId?: string;
}

export const receiveAlarmEvent =
  (deps: HandlerDeps) =>
  async (event: unknown): Promise<AlarmEventResult> => {
    const { cloudWatchAlarmEventSchema } = await cloudWatchAlarmEventSchemas();
    const parsed = cloudWatchAlarmEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidAlarmEventError(
        describeValidation('Not a CloudWatch Alarm State Change event', parsed.error, 'event'),
      );
    }
    const alert = alertFromAlarmEvent(deps.config, parsed.data);
    if (!alert) {
      deps.logger.info('Alarm state INSUFFICIENT_DATA is not an alert; ignored', {
        alarm: parsed.data.detail.alarmName,
      });
      return { outcome: 'ignored' };
    }
    const result = await receiveAlert(deps, alert);
    const incidentId = 'incident' in result ? result.incident.id : undefined;
    deps.logger.info(`Alarm ${alert.title} → ${result.outcome}`, { incidentId, deliveryId: alert.deliveryId });
    return { outcome: result.outcome, incidentId };
  };

export const makeReceiveAlarmEventHandler = (deps: HandlerDeps) => middy().handler(receiveAlarmEvent(deps));
