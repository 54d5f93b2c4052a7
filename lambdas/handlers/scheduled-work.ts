/**
 * The intake function as the target of Klaxon's run-time schedules: a heartbeat monitor's
 * deadline and a maintenance window's end. The payload names its work in `klaxon`; each is
 * validated, then handed to core. A failure throws, so the scheduler retries it (both are
 * idempotent: a deadline re-checks the last ping, a window's end moves each held run once).
 */
import { checkHeartbeat, type HeartbeatCheck } from '../core/heartbeats.js';
import { type HeldLaddersResult, startHeldLadders } from '../core/intake.js';
import { HEARTBEAT_DEADLINE } from '../core/intake-invocations.js';
import { loadOnce } from '../core/load-once.js';
import type { IntakeHandlerDeps } from './deps.js';
import { describeValidation } from './validation.js';

const heartbeatsSchemas = loadOnce(() => import('../schemas/heartbeats.js'));
const maintenanceSchemas = loadOnce(() => import('../schemas/maintenance.js'));

export type ScheduledWorkResult = HeartbeatCheck | HeldLaddersResult;

export class InvalidScheduledWorkError extends Error {
  override name = 'InvalidScheduledWorkError';
}

export const makeScheduledWorkHandler =
  (deps: IntakeHandlerDeps) =>
  async (event: { klaxon: string }): Promise<ScheduledWorkResult> => {
    if (event.klaxon === HEARTBEAT_DEADLINE) {
      const { heartbeatDeadlineEventSchema } = await heartbeatsSchemas();
      const parsed = heartbeatDeadlineEventSchema.safeParse(event);
      if (!parsed.success) {
        throw new InvalidScheduledWorkError(describeValidation('Not a heartbeat deadline', parsed.error, 'event'));
      }
      const result = await checkHeartbeat(deps, parsed.data.name);
      deps.logger.info(`Heartbeat ${parsed.data.name}: ${result.outcome}`, { ...result });
      return result;
    }
    const { maintenanceEndedEventSchema } = await maintenanceSchemas();
    const parsed = maintenanceEndedEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidScheduledWorkError(describeValidation('Not a maintenance end', parsed.error, 'event'));
    }
    const result = await startHeldLadders(deps, parsed.data.service);
    deps.logger.info(`Maintenance of ${parsed.data.service} ended: ${result.outcome}`, { ...result });
    return result;
  };
