/**
 * Every decision about an incident is read, decide, write conditionally: the write holds only if
 * nobody moved the incident since the read. One who loses reads again and decides again.
 */

/** What an attempt returns when its conditional write lost: read and decide again. */
export const LOST_RACE = Symbol('lost the race');

const MAX_ATTEMPTS = 5;

/**
 * Runs `attempt` (read, decide, write) until it settles. Five lost races in a row means the
 * incident is changing faster than anyone can decide on it: the caller's request fails, and its
 * retry decides on whatever the incident has become.
 */
export async function readDecideWrite<T>(what: string, attempt: () => Promise<T | typeof LOST_RACE>): Promise<T> {
  for (let tries = 0; tries < MAX_ATTEMPTS; tries++) {
    const result = await attempt();
    if (result !== LOST_RACE) return result;
  }
  throw new Error(`${what} kept changing under us; try again`);
}
