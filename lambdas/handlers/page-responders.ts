/**
 * The page function: everything Klaxon sends to people. A ladder step's pages ("Page the
 * responders"), a status-update reminder, a resolution notice, a post-mortem reminder and an
 * on-call handoff notification (of a rotation, a config override, or an override made at run
 * time, whose one-time schedule sends `{"klaxon": "override-handoff"}`), told apart by the payload.
 */
import middy from '@middy/core';
import { type HandoffResult, notifyHandoff } from '../core/handoffs.js';
import { OVERRIDE_HANDOFF } from '../core/overrides.js';
import { type PageStepResult, pageStep } from '../core/paging.js';
import {
  type PostmortemReminderResult,
  type ReminderDeps,
  remindPostmortem,
  remindStatusUpdate,
  type StatusUpdateReminderResult,
} from '../core/reminders.js';
import { noticeResolution, type ResolutionNoticeResult } from '../core/resolution-notice.js';
import { handoffRequestSchema, overrideHandoffSchema, pageFunctionRequestSchema } from '../schemas/page-request.js';
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
      const result =
        request.remind === 'status-update'
          ? await remindStatusUpdate(deps, request)
          : await remindPostmortem(deps, request);
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
    return result;
  };

export const makePageRespondersHandler = (deps: PagingHandlerDeps & Pick<ReminderDeps, 'timeScale'>) =>
  middy().handler(pageResponders(deps));
