/**
 * Requests that reach the port while the runtime is still starting. The port opens first (the
 * runtime's own URL goes into ack links and the SNS stand-in's deliveries, and port 0 is known
 * only once listening), then the store is read and ladders resumed. A request in that window
 * waits until the runtime is ready, for a bounded time; past it, or when start-up fails, it is
 * refused with a 503 that says when to retry. It is never left unanswered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Well under API Gateway's 30 s, which callers such as health checks already allow for. */
export const STARTUP_WAIT_MS = 10_000;
const RETRY_AFTER_SECONDS = 5;

export interface StartupGate {
  /** The server's request listener from the moment the port opens. */
  serve: (request: IncomingMessage, response: ServerResponse) => void;
  /** The runtime is ready: waiting and later requests go to `listener`. */
  open(listener: RequestListener): void;
  /** Start-up failed: waiting and later requests are refused. */
  fail(error: unknown): void;
}

function refuse(response: ServerResponse, message: string): void {
  response.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'retry-after': String(RETRY_AFTER_SECONDS),
  });
  response.end(JSON.stringify({ message }));
}

export function startupGate(waitMs = STARTUP_WAIT_MS): StartupGate {
  let state: { ready: RequestListener } | { failed: string } | undefined;
  const waiting = new Set<() => void>();
  const settle = (next: NonNullable<typeof state>) => {
    state = next;
    for (const wake of waiting) wake();
    waiting.clear();
  };

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!state) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((wake) => {
        waiting.add(wake);
        timer = setTimeout(() => {
          waiting.delete(wake);
          wake();
        }, waitMs);
      });
      clearTimeout(timer);
    }
    if (state && 'ready' in state) return state.ready(request, response);
    refuse(
      response,
      state
        ? `Klaxon failed to start (${state.failed}); see its terminal`
        : `Klaxon is still starting (reading its stored incidents); retry in ${RETRY_AFTER_SECONDS} seconds`,
    );
  }

  return {
    serve: (request, response) => void serve(request, response),
    open: (listener) => settle({ ready: listener }),
    fail: (error) => settle({ failed: error instanceof Error ? error.message : String(error) }),
  };
}
