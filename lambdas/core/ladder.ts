/**
 * Plans an incident's escalation ladder: every step of the tier's policy with an absolute due
 * time, computed once when the incident opens. The state machine waits on these timestamps
 * (TimestampPath), so a retried or restarted execution never drifts from the plan.
 */
import type { Channel, Role, StepCondition, TierPolicy } from './config.js';
import { parseDurationSeconds } from './duration.js';

export interface EscalationStep {
  index: number;
  /** ISO-8601 UTC: when this step is due. */
  dueAt: string;
  /** Seconds after the incident opened, for messages and reports. */
  afterSeconds: number;
  notify: Role[];
  channels: Channel[];
  unless: StepCondition;
  /** Set on the ladder of a reopened incident (1, 2, …): pages of an earlier run do not stand in for it. */
  run?: number;
}

/** What a state machine execution is started with. */
export interface EscalationInput {
  incidentId: string;
  severity: string;
  openedAt: string;
  steps: EscalationStep[];
  /** Execution name when it is not the incident id (a reopened incident's new ladder). */
  executionName?: string;
}

export function planLadder(policy: TierPolicy, openedAt: string): EscalationStep[] {
  const start = Date.parse(openedAt);
  if (Number.isNaN(start)) throw new Error(`Cannot plan a ladder from an unreadable open time: ${openedAt}`);
  return policy.ladder.map((step, index) => {
    const afterSeconds = parseDurationSeconds(step.after) ?? 0;
    return {
      index,
      dueAt: new Date(start + afterSeconds * 1000).toISOString(),
      afterSeconds,
      notify: [...step.notify],
      channels: [...step.channels],
      unless: step.unless,
    };
  });
}
