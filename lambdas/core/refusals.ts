/**
 * The refusals the core throws at a request it cannot honour, each answered with its own status
 * (lambdas/handlers/http.ts). They live apart from the code that throws them so that the error
 * mapping every HTTP function loads at init does not load that code: acknowledging alone reaches
 * the reminders, the rotations and luxon; a heartbeat, the whole intake.
 */

export class IncidentNotFoundError extends Error {
  override name = 'IncidentNotFoundError';
}

export class TransitionRefusedError extends Error {
  override name = 'TransitionRefusedError';
}

/** A reassign to someone the config does not know. */
export class UnknownResponderError extends Error {
  override name = 'UnknownResponderError';
}

/** A drill for a team the config does not know. */
export class UnknownTeamError extends Error {
  override name = 'UnknownTeamError';
}

/** A drill's own id that already names a real incident: the drill must not take it over. */
export class DrillIdTakenError extends Error {
  override name = 'DrillIdTakenError';
}

/** An override the config cannot honour (unknown team or responder, an override already over). */
export class InvalidOverrideError extends Error {
  override name = 'InvalidOverrideError';
}

export class OverrideNotFoundError extends Error {
  override name = 'OverrideNotFoundError';
}

/** A monitor nobody defined, or a name that cannot be one: 404. */
export class HeartbeatNotFoundError extends Error {
  override name = 'HeartbeatNotFoundError';
}

/** A monitor that cannot be added or removed as asked (409); the message says why. */
export class HeartbeatRefusedError extends Error {
  override name = 'HeartbeatRefusedError';
}
