/**
 * The page function: everything Klaxon sends to people. A ladder step's pages ("Page the
 * responders"), a status-update reminder (a scheduled look), a resolution notice, a post-mortem
 * reminder and an on-call handoff notification (of a rotation, a config override, or an override
 * made at run time, whose one-time schedule sends `{"klaxon": "override-handoff"}`), told apart by
 * the payload.
 */
import middy from '@middy/core';
import type { HandoffResult } from '../core/handoffs.js';
import { exportOnFirstUse, loadOnce } from '../core/load-once.js';
import { OVERRIDE_HANDOFF, STATUS_UPDATE_LOOK } from '../core/page-kinds.js';
import type { DeliveryFailureResult, PageStepResult } from '../core/paging.js';
import type { PostmortemReminderResult, ReminderDeps, StatusUpdateReminderResult } from '../core/reminders.js';
import type { ResolutionNoticeResult } from '../core/resolution-notice.js';
import type { PagingHandlerDeps } from './deps.js';
import { describeValidation } from './validation.js';

const pageRequestSchemas = loadOnce(() => import('../schemas/page-request.js'));
const smsVoiceEventSchemas = loadOnce(() => import('../schemas/sms-voice-event.js'));

/**
 * Each kind of work's code is loaded by the first event of that kind, not at module init: a ladder
 * step's (paging.ts, and luxon through rotations.ts), a handoff's, the reminders', a resolution
 * notice's, a delivery event's. Module init holds the dispatch below and the deps' wiring.
 */
const paging = loadOnce(() => import('../core/paging.js'));
const pageStep = exportOnFirstUse(paging, 'pageStep');
const deliveryEventsCode = loadOnce(() => import('../core/delivery-events.js'));
const notifyHandoff = exportOnFirstUse(() => import('../core/handoffs.js'), 'notifyHandoff');
const reminders = loadOnce(() => import('../core/reminders.js'));
const remindStatusUpdate = exportOnFirstUse(reminders, 'remindStatusUpdate');
const remindPostmortem = exportOnFirstUse(reminders, 'remindPostmortem');
const planStatusUpdateLook = exportOnFirstUse(reminders, 'planStatusUpdateLook');
const noticeResolution = exportOnFirstUse(() => import('../core/resolution-notice.js'), 'noticeResolution');

export class InvalidPageRequestError extends Error {
  override name = 'InvalidPageRequestError';
}

export type PageFunctionResult =
  | PageStepResult
  | StatusUpdateReminderResult
  | PostmortemReminderResult
  | ResolutionNoticeResult
  | HandoffResult
  | DeliveryEventsResult;

export interface DeliveryEventsResult {
  deliveryEvents: (DeliveryFailureResult | { ignored: string })[];
}

/**
 * Also the target of the handoff schedules (EventBridge Scheduler on AWS, timers locally): a
 * `{"handoff": …}` payload notifies the incoming on-call person instead of paging a step. One
 * function with the SNS and table access it already has, rather than another bundle.
 */
export const pageResponders =
  (deps: PagingHandlerDeps & Pick<ReminderDeps, 'timeScale'>) =>
  async (event: unknown): Promise<PageFunctionResult> => {
    if (typeof event === 'object' && event !== null && 'Records' in event) return deliveryEvents(deps, event);
    const { handoffRequestSchema, overrideHandoffSchema, pageFunctionRequestSchema, statusUpdateLookSchema } =
      await pageRequestSchemas();
    if (typeof event === 'object' && event !== null && 'klaxon' in event && event.klaxon === OVERRIDE_HANDOFF) {
      if (!deps.handoffs) throw new InvalidPageRequestError('This function has no handoff records to notify with');
      const request = overrideHandoffSchema.safeParse(event);
      if (!request.success) {
        throw new InvalidPageRequestError(describeValidation('Not an override handoff', request.error, 'event'));
      }
      const { id, edge } = request.data;
      // An override's edges are its own times: the handoff reads them from the stored override.
      const at = deps.clock.now().toISOString();
      const result = await notifyHandoff({ ...deps, handoffs: deps.handoffs }, { handoff: 'cover', id, edge, at });
      deps.logger.info(`Override ${edge} notified ${result.notified.join(', ') || 'nobody'}`, { id, edge, ...result });
      return result;
    }
    if (typeof event === 'object' && event !== null && 'handoff' in event) {
      if (!deps.handoffs) throw new InvalidPageRequestError('This function has no handoff records to notify with');
      const request = handoffRequestSchema.safeParse(event);
      if (!request.success)
        throw new InvalidPageRequestError(describeValidation('Not a handoff', request.error, 'event'));
      const result = await notifyHandoff({ ...deps, handoffs: deps.handoffs }, request.data);
      deps.logger.info(`Handoff notified ${result.notified.join(', ') || 'nobody'}`, { ...request.data, ...result });
      return result;
    }
    if (typeof event === 'object' && event !== null && 'klaxon' in event && event.klaxon === STATUS_UPDATE_LOOK) {
      const look = statusUpdateLookSchema.safeParse(event);
      if (!look.success) {
        throw new InvalidPageRequestError(describeValidation('Not a status-update look', look.error, 'event'));
      }
      const result = await remindStatusUpdate(deps, look.data);
      deps.logger.info(`status-update reminder: ${result.reminded ?? 'nobody reminded'}`, {
        incidentId: look.data.incidentId,
        ...result,
      });
      return result;
    }
    const parsed = pageFunctionRequestSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidPageRequestError(describeValidation('Not a page function request', parsed.error, 'event'));
    }
    const request = parsed.data;
    if ('notify' in request) {
      const result = await noticeResolution(deps, request);
      deps.logger.info(`Resolution notice: ${result.notified.join(', ') || result.skipped || 'nobody was paged'}`, {
        incidentId: request.incidentId,
        ...result,
      });
      return result;
    }
    if ('remind' in request) {
      const result = await remindPostmortem(deps, request);
      deps.logger.info(`${request.remind} reminder: ${result.reminded ?? 'nobody reminded'}`, {
        incidentId: request.incidentId,
        ...result,
      });
      return result;
    }
    const result = await pageStep(deps, request);
    deps.logger.info(`Step ${request.step.index} paged ${result.paged.join(', ') || 'nobody'}`, {
      incidentId: request.incidentId,
      skipped: result.skipped,
    });
    // A fallback is the step too: when every page of a step needs one, the reminders start from it.
    if (!result.resolved) await keepRemindersGoing(deps, request.incidentId);
    return result;
  };

/**
 * End User Messaging's delivery failures, from its configuration set's SNS topic: each failed
 * ladder page falls back. A record Klaxon cannot read is logged and skipped (a retry would not
 * read it either); a fallback that reached nobody fails the invocation after the others are done,
 * so Lambda retries it (idempotent) and the page function's error alarm tells the operators.
 */
async function deliveryEvents(deps: PagingHandlerDeps, event: object): Promise<DeliveryEventsResult> {
  const [{ deliveryEventRecordSchema, snsDeliveryEventsSchema }, { deliveryFailureOf }] = await Promise.all([
    smsVoiceEventSchemas(),
    deliveryEventsCode(),
  ]);
  const parsed = snsDeliveryEventsSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidPageRequestError(describeValidation('Not an SNS event of delivery events', parsed.error, 'event'));
  }
  const results: DeliveryEventsResult['deliveryEvents'] = [];
  const unreachable: string[] = [];
  for (const { Sns } of parsed.data.Records) {
    let json: unknown;
    try {
      json = JSON.parse(Sns.Message);
    } catch {
      json = undefined;
    }
    const record = deliveryEventRecordSchema.safeParse(json);
    if (!record.success) {
      deps.logger.warn('Skipped an SNS message that is no End User Messaging event record', {
        snsMessageId: Sns.MessageId,
      });
      results.push({ ignored: 'not an End User Messaging event record' });
      continue;
    }
    const failure = deliveryFailureOf(record.data);
    if ('ignored' in failure) {
      results.push(failure);
      continue;
    }
    const { pageAfterDeliveryFailure } = await paging();
    try {
      const result = await pageAfterDeliveryFailure(deps, failure);
      deps.logger.info(`Delivery failure of ${failure.page.responder}: paged ${result.paged.join(', ') || 'nobody'}`, {
        incidentId: failure.page.incidentId,
        messageId: failure.messageId,
        reason: failure.reason,
        ...result,
      });
      results.push(result);
    } catch (error) {
      unreachable.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (unreachable.length > 0) {
    const { PageDeliveryError } = await paging();
    throw new PageDeliveryError(unreachable.join('; '));
  }
  return { deliveryEvents: results };
}

/**
 * Each ladder step starts (or confirms, by the schedule's name) the status-update looks. A failure
 * here must not fail the page task, whose retries and fallback would page people again for it: it
 * is logged as an error (the page function's error log), and the next step's task tries again.
 */
async function keepRemindersGoing(deps: PagingHandlerDeps & Pick<ReminderDeps, 'timeScale'>, incidentId: string) {
  try {
    const incident = await deps.store.getIncident(incidentId);
    if (incident) await planStatusUpdateLook(deps, incident);
  } catch (error) {
    deps.logger.error('Could not schedule the next status-update look', { incidentId, error });
  }
}

export const makePageRespondersHandler = (deps: PagingHandlerDeps & Pick<ReminderDeps, 'timeScale'>) =>
  middy().handler(pageResponders(deps));
