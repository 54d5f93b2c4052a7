/**
 * The heartbeat monitors' refusals, apart from the monitors' code (heartbeats.ts): every function
 * maps them to an HTTP status (handlers/http.ts), and none should load the heartbeat code, and
 * the intake core it calls, only to know these two classes.
 */

/** A monitor nobody defined, or a name that cannot be one: 404. */
export class HeartbeatNotFoundError extends Error {
  override name = 'HeartbeatNotFoundError';
}

/** A monitor that cannot be added or removed as asked (409); the message says why. */
export class HeartbeatRefusedError extends Error {
  override name = 'HeartbeatRefusedError';
}
