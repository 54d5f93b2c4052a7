/**
 * Lambda's asynchronous invocation (InvocationType Event), locally: the event is queued in memory
 * and handed to the function in the background, a failed run is retried twice as Lambda does, and
 * one that still fails is logged as an error (on AWS it goes to the function's alarmed dead-letter
 * queue). A few at a time, as one process on a laptop runs them.
 */
import type { Logger } from '../lambdas/handlers/logger.js';

export class LocalAsyncInvoker {
  private readonly queue: unknown[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** Events whose every attempt failed, oldest first (what the dead-letter queue would hold). */
  readonly failed: unknown[] = [];

  /** Whether an event is queued or running. */
  get busy(): boolean {
    return this.queue.length > 0 || this.running.size > 0;
  }

  /** Events queued and not yet started: a stop drops them (their work must be findable again). */
  get queued(): number {
    return this.queue.length;
  }

  constructor(
    private readonly name: string,
    private readonly target: (event: unknown) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly options = { retryAttempts: 2, concurrency: 2 },
  ) {}

  /** Queues the event; resolves at once, as Lambda's Invoke with InvocationType Event does. */
  async invoke(event: unknown): Promise<void> {
    if (this.stopped) throw new Error(`${this.name} is stopped; the event was not queued`);
    this.queue.push(event);
    this.startNext();
  }

  private startNext(): void {
    while (!this.stopped && this.running.size < this.options.concurrency && this.queue.length > 0) {
      const event = this.queue.shift();
      const run = this.run(event).finally(() => {
        this.running.delete(run);
        this.startNext();
      });
      this.running.add(run);
    }
  }

  private async run(event: unknown): Promise<void> {
    for (let attempt = 0; attempt <= this.options.retryAttempts; attempt++) {
      if (this.stopped) return;
      try {
        await this.target(event);
        return;
      } catch (error) {
        const last = attempt === this.options.retryAttempts;
        this.logger[last ? 'error' : 'warn'](
          `${this.name}: asynchronous invocation failed (attempt ${attempt + 1} of ${this.options.retryAttempts + 1})${last ? '; given up, as Lambda would send it to the dead-letter queue' : '; retrying'}`,
          { error: String(error), event },
        );
      }
    }
    this.failed.push(event);
  }

  /** Stops taking and retrying events, and waits for the runs under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }
}
