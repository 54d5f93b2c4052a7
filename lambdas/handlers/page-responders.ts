/** The state machine's "Page the responders" task: one ladder step's pages. */
import middy from '@middy/core';
import * as z from 'zod';
import { type HandoffResult, notifyHandoff } from '../core/handoffs.js';
import { type PageStepResult, pageStep } from '../core/paging.js';
import { handoffRequestSchema, pageRequestSchema } from '../schemas/page-request.js';
import type { PagingHandlerDeps } from './deps.js';

export class InvalidPageRequestError extends Error {
  override name = 'InvalidPageRequestError';
}

/**
 * Also the target of the handoff schedules (EventBridge Scheduler on AWS, timers locally): a
 * `{"handoff": …}` payload notifies the incoming on-call person instead of paging a step. One
 * function with the SNS and table access it already has, rather than another bundle.
 */
export const pageResponders =
  (deps: PagingHandlerDeps) =>
  async (event: unknown): Promise<PageStepResult | HandoffResult> => {
    if (typeof event === 'object' && event !== null && 'handoff' in event) {
      if (!deps.handoffs) throw new InvalidPageRequestError('This function has no handoff records to notify with');
      const request = handoffRequestSchema.safeParse(event);
      if (!request.success) throw new InvalidPageRequestError(z.prettifyError(request.error));
      const result = await notifyHandoff({ ...deps, handoffs: deps.handoffs }, request.data);
      deps.logger.info(`Handoff notified ${result.notified.join(', ') || 'nobody'}`, { ...request.data, ...result });
      return result;
    }
    const parsed = pageRequestSchema.safeParse(event);
    if (!parsed.success) throw new InvalidPageRequestError(z.prettifyError(parsed.error));
    const result = await pageStep(deps, parsed.data);
    deps.logger.info(`Step ${parsed.data.step.index} paged ${result.paged.join(', ') || 'nobody'}`, {
      incidentId: parsed.data.incidentId,
      skipped: result.skipped,
    });
    return result;
  };

export const makePageRespondersHandler = (deps: PagingHandlerDeps) => middy().handler(pageResponders(deps));
