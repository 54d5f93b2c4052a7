/**
 * A request that reaches `npm start` while it is still starting (a health check or a script
 * fired right after launch) always gets an answer: the real one once the runtime is ready, or a
 * 503 that says when to retry if start-up takes longer than a request should wait. The requests
 * are sent from the runtime's `afterListen` hook: the port is open, the runtime not yet ready.
 */
import { startLocalRuntime } from '../../local/runtime.js';
import { LOCAL_ROUTING_KEY, testConfig } from '../support/local.js';

/** Bounds a broken run: before the fix, such a request was never answered. */
const NO_ANSWER_AFTER_MS = 15_000;

describe('requests during start-up', () => {
  it('answers a request sent the moment the port opens, once the runtime is ready', async () => {
    let health: Promise<Response> | undefined;
    let alert: Promise<Response> | undefined;
    const runtime = await startLocalRuntime({
      port: 0,
      config: testConfig(),
      verbose: false,
      afterListen: (url) => {
        health = fetch(`${url}/v1/incidents?status=open`, { signal: AbortSignal.timeout(NO_ANSWER_AFTER_MS) });
        alert = fetch(`${url}/v1/alerts/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            routing_key: LOCAL_ROUTING_KEY,
            event_action: 'trigger',
            payload: { summary: 'Fired while Klaxon starts', source: 'startup-test', severity: 'warning' },
          }),
          signal: AbortSignal.timeout(NO_ANSWER_AFTER_MS),
        });
      },
    });
    try {
      expect((await health)?.status).toBe(200);
      expect((await alert)?.status).toBe(202);
      const listed = (await (await fetch(`${runtime.url}/v1/incidents?status=open`)).json()) as {
        incidents: { title: string }[];
      };
      expect(listed.incidents.map((incident) => incident.title)).toEqual(['Fired while Klaxon starts']);
    } finally {
      await runtime.stop();
    }
  });

  it('refuses with a 503 and Retry-After when start-up outlasts the wait, never leaving it unanswered', async () => {
    let answer: Response | undefined;
    const runtime = await startLocalRuntime({
      port: 0,
      config: testConfig(),
      verbose: false,
      startupWaitMs: 50,
      // Start-up goes on only once the request is answered: it can be answered only by the refusal.
      afterListen: async (url) => {
        answer = await fetch(`${url}/_local/outbox`, { signal: AbortSignal.timeout(NO_ANSWER_AFTER_MS) });
      },
    });
    try {
      expect(answer?.status).toBe(503);
      expect(answer?.headers.get('retry-after')).toBe('5');
      await expect(answer?.json()).resolves.toEqual({
        message: 'Klaxon is still starting (reading its stored incidents); retry in 5 seconds',
      });
      expect((await fetch(`${runtime.url}/_local/outbox`)).status).toBe(200);
    } finally {
      await runtime.stop();
    }
  });
});
