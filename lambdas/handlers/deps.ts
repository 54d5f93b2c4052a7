import type { SnsSignatureVerifier, SubscriptionConfirmer } from '../adapters/sns-signature.js';
import type { AlertInboxDeps } from '../core/alert-inbox.js';
import type { ChangeEventStore } from '../core/change-events.js';
import type { HandoffRecords } from '../core/handoffs.js';
import type { IntakeRecordDeps } from '../core/intake-records.js';
import type { AckKeySource, CoreDeps, OneTimeSchedules, PagingDeps } from '../core/ports.js';
import type { Logger } from './logger.js';
import type { RefusalCounter } from './refused-alerts.js';

/** What every handler is built from: the core's ports plus a logger. Tests pass local ones. */
/**
 * `ackKey` verifies ack links; without it `/v1/ack/{token}` answers 503. `changes`: the services'
 * change events, written by intake and shown on incidents. `schedules`: one-time schedules made at
 * run time (see OneTimeSchedules).
 */
export type HandlerDeps = CoreDeps & {
  logger: Logger;
  ackKey?: AckKeySource;
  changes: ChangeEventStore;
  schedules: OneTimeSchedules;
};
/** `handoffs` records handoff notifications sent (the page function is also the handoff schedules' target). */
export type PagingHandlerDeps = PagingDeps & { logger: Logger; handoffs?: HandoffRecords; schedules: OneTimeSchedules };

/** How POST /v1/alerts/cloudwatch checks an SNS message's signature and confirms a subscription. */
export interface SnsIntakeDeps {
  verifier: SnsSignatureVerifier;
  confirmSubscription: SubscriptionConfirmer;
}

/**
 * The intake function also reads maintenance windows, records sender notices, checks SNS
 * signatures, and keeps alerts in its inbox until they are received. `countRefusal` counts alerts
 * refused with a 4xx as a CloudWatch metric; the local runtime has none (no CloudWatch), and its
 * log prints each refusal.
 */
export type IntakeHandlerDeps = HandlerDeps &
  IntakeRecordDeps &
  AlertInboxDeps & { sns: SnsIntakeDeps; countRefusal?: RefusalCounter };
