import type { CoreDeps, PagingDeps } from '../core/ports.js';
import type { Logger } from './logger.js';

/** What every handler is built from: the core's ports plus a logger. Tests pass local ones. */
export type HandlerDeps = CoreDeps & { logger: Logger };
export type PagingHandlerDeps = PagingDeps & { logger: Logger };
