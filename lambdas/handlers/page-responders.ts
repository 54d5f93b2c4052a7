/**
 * The page function: everything Klaxon sends to people. A ladder step's pages ("Page the
 * responders"), a status-update reminder (a scheduled look), a resolution notice, a post-mortem
 * reminder and an on-call handoff notification, told apart by the payload.
 */
import middy from '@middy/core';
import { type HandoffResult, notifyHandoff } from '../core/handoffs.js';
import { type PageStepResult, pageStep } from '../core/paging.js';
import {
  type PostmortemReminderResult,
  planStatusUpdateLook,
  type ReminderDeps,
  remindPostmortem,
  remindStatusUpdate,
  STATUS_UPDATE_LOOK,
  type StatusUpdateReminderResult,
} from '../core/reminders.js';
import { noticeResolution, type ResolutionNoticeResult } from '../core/resolution-notice.js';
import { handoffRequestSchema, pageFunctionRequestSchema, statusUpdateLookSchema } from '../schemas/page-request.js';
import type { PagingHandlerDeps } from './deps.js';
import { describeValidation } from './validation.js';

export class InvalidPageRequestError extends Error {
  override name = 'InvalidPageRequestError';
}

export type PageFunctionResult =
  | PageStepResult
  | StatusUpdateReminderResult
  | PostmortemReminderResult
  | ResolutionNoticeResult
  | HandoffResult;

/**
 * Also the target of the handoff schedules (EventBridge Scheduler on AWS, timers locally): a
 * `{"handoff": …}` payload notifies the incoming on-call person instead of paging a step. One
 * function with the SNS and table access it already has, rather than another bundle.
 */
export const pageResponders =
  (deps: PagingHandlerDeps & Pick<ReminderDeps, 'timeScale'>) =>
  async (event: unknown): Promise<PageFunctionResult> => {
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
    if (!request.fallback && !result.resolved) await keepRemindersGoing(deps, request.incidentId);
    return result;
  };

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
