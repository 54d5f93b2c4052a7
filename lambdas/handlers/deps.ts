import type { AckKeySource, CoreDeps, PagingDeps } from '../core/ports.js';
import type { Logger } from './logger.js';

/** What every handler is built from: the core's ports plus a logger. Tests pass local ones. */
/** `ackKey` verifies ack links; without it `/v1/ack/{token}` answers 503. */
export type HandlerDeps = CoreDeps & { logger: Logger; ackKey?: AckKeySource };
export type PagingHandlerDeps = PagingDeps & { logger: Logger };
