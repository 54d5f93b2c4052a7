/**
 * The config's handoff schedules on this machine: what EventBridge Scheduler does on AWS (a cron per
 * team's rotation, an `at()` per override), done with timers. Each fires when the runtime's clock reaches
 * the handoff, whatever `--time-scale` says: the time scale speeds up ladders, not the calendar,
 * so rotations (pages, `GET /v1/oncall`) switch at the real time, and the notice must come then,
 * not while the outgoing person is still the one paged. Each timer calls the page function with
 * the same payload the scheduler sends, so duplicates are absorbed the same way (once per handoff).
 */
import type { KlaxonConfig, RotationConfig, TeamConfig } from '../lambdas/core/config.js';
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

  function scheduleRotation(team: TeamConfig, rotation: RotationConfig, afterMs: number): void {
    const next = Date.parse(rotationShift(rotation, new Date(afterMs)).until);
    if (Number.isNaN(next)) return;
    at(next, () => {
      send({ handoff: 'rotation', team: team.id, rotation: rotation.id, at: new Date(next).toISOString() });
      scheduleRotation(team, rotation, next);
    });
  }

  for (const team of config.teams) {
    const used = new Set(Object.values(team.onCall).map((schedule) => schedule?.rotation));
    for (const rotation of team.rotations) if (used.has(rotation.id)) scheduleRotation(team, rotation, startLogical);
    team.overrides.forEach((override, index) => {
      const from = Date.parse(override.from);
      if (from > startLogical) {
        at(from, () => send({ handoff: 'override', team: team.id, override: index, at: override.from }));
      }
    });
  }

  return {
    async stop() {
      stopping.abort();
      await Promise.allSettled([...inFlight]);
      unwatch();
    },
  };
}
