/**
 * What a run is, and the name of everything that belongs to one.
 *
 * An incident's escalation ladder is walked by one Step Functions execution at a time: a run.
 * Run 1 is decided when the incident opens. Every later run is decided by one conditional write
 * that bumps `run.number` (of two racing decisions, one wins): a reopen, escalate now, a severity
 * change, a reassignment, the end of a maintenance window that held the ladder, a restart of the
 * local runtime. The run record says why (`cause`), what it walks (`ladder`), which execution it
 * replaced (`supersedes`), and whether its execution was seen started.
 *
 * An episode is the span from an opening or a reopening to the resolution that ends it; it is
 * numbered by the run that opened it. Acknowledgements, resolutions, resolution notices and
 * post-mortem reminders belong to the episode: re-planning an acknowledged incident does not ask
 * for a new acknowledgement. Pages, holds and escalation entries belong to the run.
 *
 * Every per-run key and execution name is spelled here, in one shape for every run, the first
 * included: `<name>#r<n>` for timeline entries, `<id>-r<n>` for executions.
 */
import type { EscalationIdentity, EscalationInput, EscalationStep } from './ladder.js';

export type RunCause =
  | 'opened'
  | 'reopened'
  | 'escalated'
  | 'severity-changed'
  | 'reassigned'
  | 'maintenance-ended'
  | 'restarted';

/** The causes a responder's re-plan can have (replan.ts). */
export type ReplanCause = Extract<RunCause, 'escalated' | 'severity-changed' | 'reassigned'>;

/** A maintenance window holding a run: when it ends, and why it was set. */
export interface Hold {
  until: string;
  reason?: string;
}

export interface Run {
  /** 1 for the ladder the opening decided; each later run is one more. */
  number: number;
  /** The run that opened or last reopened the incident (see the module comment). */
  episode: number;
  cause: RunCause;
  /** Who or what decided it: a responder, `alarm:<source>`, `klaxon`. */
  by: string;
  /** When it was decided. */
  at: string;
  /** The ladder it walks; absent while a maintenance window holds it (nobody is paged). */
  ladder?: EscalationInput;
  /** Held for maintenance: the window that held it (nobody is paged until it ends). */
  held?: Hold;
  /** The execution of the run it replaced: stopped before this one starts, and again at resolution. */
  supersedes?: EscalationIdentity;
  /**
   * When its execution was seen started. Starting is idempotent (the execution name is fixed), so
   * this only spares a repeat; a run without it whose ladder is set is started by whoever sees it.
   */
  startedAt?: string;
  /** The alert delivery that decided it (an opening's or a reopening's): its retry finishes the run. */
  delivery?: string;
  /** A reopen's: the resolution and acknowledgement it undid (for its timeline entry and event). */
  undid?: { resolvedAt?: string; acknowledgedAt?: string; acknowledgedBy?: string };
}

/** Causes that start an episode: the incident is (again) waiting for someone to answer. */
const EPISODE_CAUSES = new Set<RunCause>(['opened', 'reopened']);

/** The first run of an incident. */
export function firstRun(decision: {
  by: string;
  at: string;
  ladder: EscalationInput | { held: Hold };
  delivery?: string;
}): Run {
  return {
    number: 1,
    episode: 1,
    cause: 'opened',
    by: decision.by,
    at: decision.at,
    ...ladderOrHold(decision.ladder),
    ...(decision.delivery ? { delivery: decision.delivery } : {}),
  };
}

/** The run that follows `current`, decided for `cause`. */
export function nextRun(
  current: Run,
  cause: RunCause,
  decision: {
    by: string;
    at: string;
    ladder: EscalationInput | { held: Hold };
    delivery?: string;
    undid?: Run['undid'];
  },
): Run {
  const number = current.number + 1;
  return {
    number,
    episode: EPISODE_CAUSES.has(cause) ? number : current.episode,
    cause,
    by: decision.by,
    at: decision.at,
    ...ladderOrHold(decision.ladder),
    ...(current.ladder
      ? { supersedes: executionOf(current.ladder) }
      : current.supersedes
        ? { supersedes: current.supersedes }
        : {}),
    ...(decision.delivery ? { delivery: decision.delivery } : {}),
    ...(decision.undid ? { undid: decision.undid } : {}),
  };
}

const ladderOrHold = (ladder: EscalationInput | { held: Hold }): Pick<Run, 'ladder' | 'held'> =>
  'held' in ladder ? { held: ladder.held } : { ladder };

export const executionOf = (ladder: EscalationInput): EscalationIdentity => ({
  incidentId: ladder.incidentId,
  severity: ladder.severity,
  executionName: ladder.executionName,
});

/** The run has a ladder whose execution nobody has seen started (a crash, or a start not yet recorded). */
export const awaitsStart = (run: Run): boolean => run.ladder !== undefined && run.startedAt === undefined;

/** Run n walks as execution `<id>-r<n>`. */
export const runExecutionName = (incidentId: string, run: number) => `${incidentId}-r${run}`;

/** An episode's post-mortem reminders walk as execution `<id>-r<episode>-postmortem`. */
export const postmortemExecutionName = (incidentId: string, episode: number) => `${incidentId}-r${episode}-postmortem`;

/** The timeline key of an entry written once per run (or per episode: an episode is numbered by its run). */
export const runKey = (name: string, run: number) => `${name}#r${run}`;

/** Every page's timeline key starts so: who was paged is one prefix query away. */
export const PAGED_KEY_PREFIX = 'paged#';

/** The key prefix of run `run`'s pages (the `#` after the number keeps run 1 from matching run 10). */
export const runPagesKeyPrefix = (run: number) => `${PAGED_KEY_PREFIX}r${run}#`;

type StepOfRun = Pick<EscalationStep, 'run' | 'index'>;

/** The keys of every page for this step of its run, by its own channels or a fallback: whether the step was taken. */
export const stepPagesPrefix = (step: StepOfRun) => `${runPagesKeyPrefix(step.run)}${step.index}#`;

export const pageKey = (step: StepOfRun, responderId: string) => `${stepPagesPrefix(step)}${responderId}`;

export const fallbackPageKey = (step: StepOfRun, responderId: string, missedId: string) =>
  `${pageKey(step, responderId)}#fallback-for#${missedId}`;

export const pageFailedKey = (step: StepOfRun, responderId: string) =>
  `page-failed#r${step.run}#${step.index}#${responderId}`;

/** The keys of a step's delivery failures (a carrier's or a phone's, reported after the page went out). */
export const deliveryFailedPrefix = (step: StepOfRun) => `delivery-failed#r${step.run}#${step.index}#`;

/** One per failed message: End User Messaging may report a failure more than once. */
export const deliveryFailedKey = (step: StepOfRun, responderId: string, messageId: string) =>
  `${deliveryFailedPrefix(step)}${responderId}#${messageId}`;

export const unreachableKey = (step: StepOfRun, responderId: string) =>
  `unreachable#r${step.run}#${step.index}#${responderId}`;

export const resolutionNoticeKey = (episode: number, responderId: string) =>
  `${runKey('resolution-notice', episode)}#${responderId}`;

export const postmortemReminderKey = (episode: number, stage: string) =>
  `${runKey('reminded#postmortem', episode)}#${stage}`;
