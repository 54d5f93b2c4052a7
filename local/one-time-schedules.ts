/**
 * EventBridge Scheduler's one-time schedules on this machine: a timer on the runtime's clock per
 * schedule, which invokes the intake or the page function with the schedule's payload when the
 * clock reaches its time, as Scheduler would (and then forgets it: ActionAfterCompletion DELETE).
 * The same names and payload limits are enforced (lambdas/core/schedules.ts). With `--data` the
 * schedules are kept in a file beside the table and armed again at start, as Scheduler keeps them
 * across anything that happens to the functions; one whose time passed while the runtime was
 * stopped fires at start. A failed invocation is retried, as Scheduler retries, a few times.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OneTimeSchedules, ScheduledWork, ScheduleTarget } from '../lambdas/core/ports.js';
import { scheduleInput } from '../lambdas/core/schedules.js';
import type { Logger } from '../lambdas/handlers/logger.js';
import type { LocalClock } from './clock.js';

interface Pending {
  at: number;
  work: ScheduledWork;
  disarm: AbortController;
}

interface StoredSchedule {
  name: string;
  at: string;
  work: ScheduledWork;
}

type Invoke = (payload: ScheduledWork['payload']) => Promise<unknown>;

const RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

export class LocalOneTimeSchedules implements OneTimeSchedules {
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private targets: Partial<Record<ScheduleTarget, Invoke>> = {};
  private readonly stopping = new AbortController();
  private readonly unwatch: () => void;
  private readonly file: string | undefined;

  constructor(
    private readonly clock: LocalClock,
    private readonly logger: Logger,
    dataDir?: string,
  ) {
    this.file = dataDir && join(dataDir, 'schedules.json');
    this.unwatch = clock.watchWork(() => this.inFlight.size > 0);
  }

  /** The functions the schedules invoke; schedules kept from a previous run are armed now. */
  start(targets: Record<ScheduleTarget, Invoke>): void {
    this.targets = targets;
    if (!this.file || !existsSync(this.file)) return;
    const stored = JSON.parse(readFileSync(this.file, 'utf8')) as StoredSchedule[];
    for (const { name, at, work } of stored) this.arm(name, Date.parse(at), work);
  }

  async schedule(name: string, at: Date, work: ScheduledWork): Promise<void> {
    scheduleInput(name, work);
    this.arm(name, at.getTime(), work);
    this.save();
  }

  async cancel(name: string): Promise<void> {
    this.pending.get(name)?.disarm.abort();
    this.pending.delete(name);
    this.save();
  }

  /** What is scheduled, soonest first (GET /_local/schedules, and tests). */
  list(): { name: string; at: string; work: ScheduledWork }[] {
    return [...this.pending]
      .sort(([, a], [, b]) => a.at - b.at)
      .map(([name, { at, work }]) => ({ name, at: new Date(at).toISOString(), work }));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const { disarm } of this.pending.values()) disarm.abort();
    await Promise.allSettled([...this.inFlight]);
    this.unwatch();
  }

  private arm(name: string, at: number, work: ScheduledWork): void {
    this.pending.get(name)?.disarm.abort();
    const disarm = new AbortController();
    this.pending.set(name, { at, work, disarm });
    void this.clock.sleepUntil(at, disarm.signal).then(() => {
      if (disarm.signal.aborted || this.stopping.signal.aborted) return;
      this.pending.delete(name);
      this.save();
      this.fire(name, work);
    });
  }

  private fire(name: string, work: ScheduledWork): void {
    const invoke = this.targets[work.target];
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          if (!invoke) throw new Error(`No ${work.target} function to invoke`);
          return await invoke(work.payload);
        } catch (error) {
          const delay = RETRY_DELAYS_MS[attempt];
          if (delay === undefined || this.stopping.signal.aborted) {
            this.logger.error('A one-time schedule failed every attempt', { name, error: String(error) });
            return;
          }
          this.logger.warn('A one-time schedule failed; retrying', { name, error: String(error) });
          await this.clock.sleepUntil(this.clock.now().getTime() + delay, this.stopping.signal);
        }
      }
    };
    const work$ = run();
    this.inFlight.add(work$);
    void work$.finally(() => this.inFlight.delete(work$));
  }

  private save(): void {
    if (!this.file) return;
    const stored: StoredSchedule[] = this.list();
    // Written whole and renamed, so a stop mid-write leaves the previous file, never half of one.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(stored));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
