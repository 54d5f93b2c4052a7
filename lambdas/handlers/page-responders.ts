/**
 * The page function: everything the state machines send to people. A ladder step's pages ("Page
 * the responders"), a status-update reminder and a post-mortem reminder, told apart by the payload.
 */
import middy from '@middy/core';
import * as z from 'zod';
import { type PageStepResult, pageStep } from '../core/paging.js';
import {
  type PostmortemReminderResult,
  type ReminderDeps,
  remindPostmortem,
  remindStatusUpdate,
  type StatusUpdateReminderResult,
} from '../core/reminders.js';
import { pageFunctionRequestSchema } from '../schemas/page-request.js';
import type { PagingHandlerDeps } from './deps.js';

export class InvalidPageRequestError extends Error {
  override name = 'InvalidPageRequestError';
}

export type PageFunctionResult = PageStepResult | StatusUpdateReminderResult | PostmortemReminderResult;

export const pageResponders =
  (deps: PagingHandlerDeps & Pick<ReminderDeps, 'timeScale'>) =>
  async (event: unknown): Promise<PageFunctionResult> => {
    const parsed = pageFunctionRequestSchema.safeParse(event);
    if (!parsed.success) throw new InvalidPageRequestError(z.prettifyError(parsed.error));
    const request = parsed.data;
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
