/**
 * The local runtime's time. `npm start` runs on the system clock: the escalation's Wait states
 * are the emulator's own timers (compressed by `--time-scale`), handoffs are timers on the clock.
 * Tests run on a ManualClock that only moves when they advance it: every Wait state, retry pause
 * and handoff then waits on that clock, and `advance` fires what falls due in order, letting the
 * work each one starts finish before the next, so a test asserts one exact order, whatever the
 * speed of the machine it runs on.
 */
import type { Clock } from '../lambdas/core/ports.js';

/** setTimeout's ceiling (about 24.8 days): a later time re-arms on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LocalClock extends Clock {
  /**
   * 'manual': the escalation's Wait states wait on this clock (sleepUntil) and retry pauses take
   * no time. 'system': they run on the emulator's timers, as Step Functions would.
   */
  readonly kind: 'system' | 'manual';
  /** Resolves once the clock reads `at` (ms since the epoch) or later; at once if it already does, or when `signal` aborts. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
  /** Registers a test of whether some part of the runtime is at work; returns its removal. */
  watchWork(busy: () => boolean): () => void;
}

/** A clock that reads `now` from `clock` and waits with timers; any Clock a caller passes becomes one. */
export function timerClock(clock: Clock): LocalClock {
  return {
    kind: 'system',
    now: () => clock.now(),
    sleepUntil(at, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const arm = () => {
          const delay = at - clock.now().getTime();
          if (delay <= 0) return done();
          // A long wait must not keep a stopping process alive: whoever waits holds it open if it must.
          timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS)).unref();
        };
        signal?.addEventListener('abort', done, { once: true });
        arm();
      });
    },
    watchWork: () => () => undefined,
  };
}

export const asLocalClock = (clock: Clock): LocalClock =>
  'sleepUntil' in clock && 'watchWork' in clock ? (clock as LocalClock) : timerClock(clock);

interface Sleeper {
  at: number;
  order: number;
  wake(): void;
}

/**
 * A clock tests move by hand. Nothing that waits on it wakes until `advance` passes its time;
 * `advance` then wakes the sleepers in time order (ties in the order they went to sleep), each
 * at its own time, and lets the work that follows settle before waking the next.
 */
export class ManualClock implements LocalClock {
  readonly kind = 'manual';
  private nowMs: number;
  private sleepers: Sleeper[] = [];
  private slept = 0;
  private readonly work = new Set<() => boolean>();

  constructor(start: Date | string = '2026-03-02T09:00:00.000Z') {
    this.nowMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (at <= this.nowMs || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        at,
        order: this.slept++,
        wake: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
      };
      const abort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  watchWork(busy: () => boolean): () => void {
    this.work.add(busy);
    return () => this.work.delete(busy);
  }

  /** When the next sleeper wakes, if any waits. */
  get nextWake(): Date | undefined {
    const next = this.nextSleeper();
    return next && new Date(next.at);
  }

  /** Moves the clock `ms` ahead (see advanceTo). */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.nowMs + ms);
  }

  /**
   * Moves the clock to `to`, stopping at each sleeper's time on the way: the clock reads that
   * time while the sleeper's work runs, and that work settles before the next sleeper wakes.
   * A sleeper that work puts to sleep for a time before `to` is woken on the same pass.
   */
  async advanceTo(to: Date | string | number): Promise<void> {
    const target = new Date(to).getTime();
    if (Number.isNaN(target) || target < this.nowMs) {
      throw new Error(`A clock moves forward only: it reads ${this.now().toISOString()}, asked for ${String(to)}`);
    }
    await this.settle();
    for (;;) {
      const next = this.nextSleeper();
      if (!next || next.at > target) break;
      this.nowMs = next.at;
      const due = this.sleepers.filter((sleeper) => sleeper.at === next.at).sort((a, b) => a.order - b.order);
      this.sleepers = this.sleepers.filter((sleeper) => sleeper.at !== next.at);
      for (const sleeper of due) sleeper.wake();
      await this.settle();
    }
    this.nowMs = target;
  }

  /**
   * Resolves once no part of the runtime is at work: every execution is asleep on this clock or
   * finished, no task, handoff or asynchronous invocation is running. Work between two sleeps
   * is promise continuations and tracked tasks, so an idle check at two consecutive turns of the
   * event loop sees it all. `timeoutMs` (real time) only bounds a broken run.
   */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let idleTurns = 0;
    while (idleTurns < 2) {
      const busy = [...this.work].some((atWork) => atWork());
      idleTurns = busy ? 0 : idleTurns + 1;
      // Busy means I/O under way (dynalite, a page): give it a millisecond rather than spin.
      await new Promise((resolve) => (busy ? setTimeout(resolve, 1) : setImmediate(resolve)));
      if (Date.now() > deadline) throw new Error(`The local runtime was still at work after ${timeoutMs} ms`);
    }
  }

  private nextSleeper(): Sleeper | undefined {
    let next: Sleeper | undefined;
    for (const sleeper of this.sleepers) {
      if (!next || sleeper.at < next.at || (sleeper.at === next.at && sleeper.order < next.order)) next = sleeper;
    }
    return next;
  }
}
