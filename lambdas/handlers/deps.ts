import type { AlertInboxDeps } from '../core/alert-inbox.js';
import type { HandoffRecords } from '../core/handoffs.js';
import type { IntakeRecordDeps } from '../core/intake-records.js';
import type { AckKeySource, CoreDeps, PagingDeps } from '../core/ports.js';
import type { Logger } from './logger.js';
import type { SnsIntakeDeps } from './receive-sns-alarm.js';

/** What every handler is built from: the core's ports plus a logger. Tests pass local ones. */
/** `ackKey` verifies ack links; without it `/v1/ack/{token}` answers 503. */
export type HandlerDeps = CoreDeps & { logger: Logger; ackKey?: AckKeySource };
/** `handoffs` records handoff notifications sent (the page function is also the handoff schedules' target). */
export type PagingHandlerDeps = PagingDeps & { logger: Logger; handoffs?: HandoffRecords };

/**
 * The intake function also reads maintenance windows, records sender notices, checks SNS
 * signatures, and keeps alerts in its inbox until they are received.
 */
export type IntakeHandlerDeps = HandlerDeps & IntakeRecordDeps & AlertInboxDeps & { sns: SnsIntakeDeps };
