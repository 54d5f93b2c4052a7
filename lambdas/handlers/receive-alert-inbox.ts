/**
 * The intake function invoked with one chunk of its alert inbox (an asynchronous invocation on
 * AWS, a background call locally): receives its alerts, then deletes it. A failure throws, so
 * Lambda retries it and, after its last retry, sends the event to the alarmed dead-letter queue;
 * the chunk stays stored, and an operator's redrive event (docs/operations.md, "Dead letters") dispatches it again.
 */
import middy from '@middy/core';
import { type DrainResult, drainInboxChunk, type RedriveResult, redriveInbox } from '../core/alert-inbox.js';
import type { InboxEvent, RedriveInboxEvent } from '../core/intake-invocations.js';
import type { IntakeHandlerDeps } from './deps.js';

export const receiveAlertInbox =
  (deps: IntakeHandlerDeps) =>
  async (event: InboxEvent): Promise<DrainResult> => {
    const ref = { inbox: event.inbox, chunk: event.chunk };
    const result = await drainInboxChunk(deps, ref);
    deps.logger.info(`Inbox ${ref.inbox} chunk ${ref.chunk}: ${result.received} alert(s) received`, {
      ...ref,
      opened: result.opened,
    });
    return result;
  };

export const makeReceiveAlertInboxHandler = (deps: IntakeHandlerDeps) =>
  middy<InboxEvent, DrainResult>().handler(receiveAlertInbox(deps));

export const redriveAlertInbox =
  (deps: IntakeHandlerDeps) =>
  async (event: RedriveInboxEvent): Promise<RedriveResult> => {
    const result = await redriveInbox(deps, event);
    deps.logger.info(`Alert inbox redriven: ${result.dispatched} chunk(s) dispatched again`, {
      ...result,
      olderThanMinutes: event.olderThanMinutes,
    });
    return result;
  };

export const makeRedriveAlertInboxHandler = (deps: IntakeHandlerDeps) =>
  middy<RedriveInboxEvent, RedriveResult>().handler(redriveAlertInbox(deps));
