/**
 * The handoff schedules on this machine: what EventBridge Scheduler does on AWS (a cron per
 * rotation, an `at()` per override), done with timers. Each fires when the runtime's clock reaches
 * the handoff, whatever `--time-scale` says: the time scale speeds up ladders, not the calendar,
 * so rotations (pages, `GET /v1/oncall`) switch at the real time, and the notice must come then,
 * not while the outgoing person is still the one paged. Each timer calls the page function with
 * the same payload the scheduler sends, so duplicates are absorbed the same way (once per handoff).
 */
import type { KlaxonConfig } from '../lambdas/core/config.js';
import type { HandoffRequest } from '../lambdas/core/handoffs.js';
import { rotationShift } from '../lambdas/core/rotations.js';
import type { Logger } from '../lambdas/handlers/logger.js';
import type { LocalClock } from './clock.js';

export interface HandoffTimers {
  stop(): Promise<void>;
}

export function startHandoffTimers(options: {
  config: KlaxonConfig;
  clock: LocalClock;
  notify: (request: HandoffRequest) => Promise<unknown>;
  logger: Logger;
}): HandoffTimers {
  const { config } = options;
  const startLogical = options.clock.now().getTime();
  const stopping = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const unwatch = options.clock.watchWork(() => inFlight.size > 0);

  function at(logicalMs: number, fire: () => void): void {
    void options.clock.sleepUntil(logicalMs, stopping.signal).then(() => {
      if (!stopping.signal.aborted) fire();
    });
  }

  function send(request: HandoffRequest): void {
    if (stopping.signal.aborted) return;
    const work = options.notify(request).catch((error: unknown) => {
      options.logger.error('Handoff notification failed', { ...request, error: String(error) });
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  function scheduleRotation(rotationId: string, afterMs: number): void {
    const rotation = config.rotations.find((candidate) => candidate.id === rotationId);
    if (!rotation) return;
    const next = Date.parse(rotationShift(rotation, new Date(afterMs)).until);
    if (Number.isNaN(next)) return;
    at(next, () => {
      send({ handoff: 'rotation', rotation: rotationId, at: new Date(next).toISOString() });
      scheduleRotation(rotationId, next);
    });
  }

  const used = new Set(Object.values(config.onCall).map((schedule) => schedule?.rotation));
  for (const rotation of config.rotations) if (used.has(rotation.id)) scheduleRotation(rotation.id, startLogical);
  config.overrides.forEach((override, index) => {
    const from = Date.parse(override.from);
    if (from > startLogical) at(from, () => send({ handoff: 'override', override: index, at: override.from }));
  });

  return {
    async stop() {
      stopping.abort();
      await Promise.allSettled([...inFlight]);
      unwatch();
    },
  };
}
