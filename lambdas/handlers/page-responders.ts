/** The state machine's "Page the responders" task: one ladder step's pages. */
import middy from '@middy/core';
import * as z from 'zod';
import { type PageStepResult, pageStep } from '../core/paging.js';
import { pageRequestSchema } from '../schemas/page-request.js';
import type { PagingHandlerDeps } from './deps.js';

export class InvalidPageRequestError extends Error {
  override name = 'InvalidPageRequestError';
}

export const pageResponders =
  (deps: PagingHandlerDeps) =>
  async (event: unknown): Promise<PageStepResult> => {
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
