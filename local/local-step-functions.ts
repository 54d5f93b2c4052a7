/**
 * Step Functions on this machine: aws-local-stepfunctions runs the very ASL files CDK deploys,
 * with every Task routed to a local handler (Lambda tasks to the in-process handler; another
 * service integration is refused by name). `timeScale` compresses the ladder's waits, the
 * post-mortem reminders' waits and retry pauses for drills (the status-update interval is scaled
 * by the reminder task).
 * On a manual clock (tests), every Wait state waits on that clock instead (see clockWaits).
 */
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  escalationExecutionName,
  executionArnFor,
  executionNameFor,
} from '../lambdas/adapters/step-functions-escalation.js';
import { SEVERITIES, type Severity } from '../lambdas/core/config.js';
import type { EscalationIdentity, EscalationInput } from '../lambdas/core/ladder.js';
import type { EscalationRunner, PostmortemReminderInput, PostmortemReminderRunner } from '../lambdas/core/ports.js';
import { allStates, loadEscalationDefinition, loadPostmortemReminderDefinition } from '../lib/asl.js';
import type { LocalClock } from './clock.js';

export type LocalFunction = (payload: unknown) => Promise<unknown>;

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type TaskHandler = TaskHandlers[string];
type Json = Parameters<TaskHandler>[0];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export type LocalMachineKind = 'escalation' | 'postmortem-reminder';

export interface LocalExecution {
  kind: LocalMachineKind;
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: EscalationInput | PostmortemReminderInput;
  error?: string;
  /** State names entered, in order: what the console's graph would light up. */
  statesEntered: string[];
  /** Transitions as Step Functions bills them (one per state entered). */
  stateTransitions: number;
}

interface LocalStepFunctionsOptions {
  functions: Record<string, LocalFunction>;
  pageFunctionArn: string;
  timeScale: number;
  /** Dates the executions; a manual one also drives their Wait states. */
  clock: LocalClock;
  onChange?: (execution: LocalExecution) => void;
}

type AnyState = {
  Type: string;
  Resource?: string;
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Retry?: { IntervalSeconds?: number }[];
  Branches?: { States: Record<string, AnyState> }[];
  ItemProcessor?: { States: Record<string, AnyState> };
  [field: string]: unknown;
};

/** The resource of a Wait state turned into a wait on the clock: no AWS service, only a name for the event log. */
const CLOCK_WAIT_RESOURCE = 'arn:aws:lambda:local:000000000000:function:klaxon-local-clock-wait';

/**
 * The definition with every Wait state (branches included) replaced by a Task of the same name,
 * input and output that a local handler runs by waiting on the clock until the time the Wait
 * would have reached: the emulator's Wait sleeps on a timer of its own, which no test can move.
 */
function clockWaits(definition: StateMachineDefinition): StateMachineDefinition {
  // Not structuredClone: under jest's vm realm its objects fail the emulator's plain-object check.
  const copy = JSON.parse(JSON.stringify(definition)) as { States: Record<string, AnyState> };
  for (const [, state] of allStates(copy)) {
    if (state.Type !== 'Wait') continue;
    const { Seconds, SecondsPath, Timestamp, TimestampPath, Type: _wait, ...rest } = state;
    const parameters =
      TimestampPath !== undefined
        ? { 'until.$': TimestampPath }
        : Timestamp !== undefined
          ? { until: Timestamp }
          : SecondsPath !== undefined
            ? { 'seconds.$': SecondsPath }
            : { seconds: Seconds ?? 0 };
    for (const field of Object.keys(state)) delete state[field];
    // A day of real time bounds a wait: on a manual clock a test moves past it long before that.
    Object.assign(state, { ...rest, Type: 'Task', Resource: CLOCK_WAIT_RESOURCE, Parameters: parameters });
    Object.assign(state, { ResultPath: null, TimeoutSeconds: 86_400 });
  }
  return copy as unknown as StateMachineDefinition;
}

interface LocalMachine {
  definition: StateMachineDefinition;
  machine: StateMachine;
  /** Wait states this machine runs as waits on the clock (a manual clock only). */
  clockWaits: Set<string>;
}

/**
 * Each distinct definition is validated once per process: asl-validator compiles its JSON schema
 * on every call (125-300 ms a definition here), and each runtime builds five machines from the
 * same few definitions.
 */
const validatedDefinitions = new Set<string>();

function localStateMachine(definition: StateMachineDefinition, clock: LocalClock): LocalMachine {
  const text = JSON.stringify(definition);
  const asWritten = new StateMachine(definition, { validationOptions: { noValidate: validatedDefinitions.has(text) } });
  validatedDefinitions.add(text);
  if (clock.kind === 'system') return { definition, machine: asWritten, clockWaits: new Set() };
  const waits = new Set(
    allStates(definition as unknown as { States: Record<string, AnyState> })
      .filter(([, state]) => state.Type === 'Wait')
      .map(([name]) => name),
  );
  const rewritten = clockWaits(definition);
  // The definition as written was validated above; only its Waits changed.
  return {
    definition: rewritten,
    machine: new StateMachine(rewritten, { validationOptions: { noValidate: true } }),
    clockWaits: waits,
  };
}

export const localStateMachineArn = (severity: Severity) =>
  `arn:aws:states:local:000000000000:stateMachine:klaxon-escalation-${severity.toLowerCase()}`;
export const LOCAL_POSTMORTEM_STATE_MACHINE_ARN =
  'arn:aws:states:local:000000000000:stateMachine:klaxon-postmortem-reminder';

/** The ladder's end state: "the ladder is walked" is this state entered, or the end. */
const LADDER_END_STATE = 'Ladder finished';

export const ladderWalked = (execution: LocalExecution): boolean =>
  execution.status !== 'RUNNING' || execution.statesEntered.includes(LADDER_END_STATE);

export class LocalStepFunctions implements EscalationRunner {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly aborters = new Map<string, () => void>();
  private readonly unwatch: () => void;
  private readonly running = new Set<Promise<void>>();
  /** Task handlers still at work: an aborted execution does not stop a page already being sent. */
  private readonly tasksInFlight = new Set<Promise<unknown>>();
  private readonly machines: Record<Severity, LocalMachine>;
  private readonly postmortemMachine: LocalMachine;
  /** The post-mortem reminder machine, behind the core's port. */
  readonly postmortems: PostmortemReminderRunner = {
    start: (input) => this.startPostmortemReminders(input),
  };

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.machines = Object.fromEntries(
      SEVERITIES.map((severity) => {
        const definition = loadEscalationDefinition({
          PageFunctionArn: options.pageFunctionArn,
          Severity: severity,
        }) as unknown as StateMachineDefinition;
        return [severity, localStateMachine(definition, options.clock)];
      }),
    ) as Record<Severity, LocalMachine>;
    const postmortem = loadPostmortemReminderDefinition({
      PageFunctionArn: options.pageFunctionArn,
    }) as unknown as StateMachineDefinition;
    this.postmortemMachine = localStateMachine(postmortem, options.clock);
    // Between two waits an execution only runs tasks (tracked) and promise continuations.
    this.unwatch = options.clock.watchWork(() => this.tasksInFlight.size > 0);
  }

  async start(input: EscalationInput): Promise<{ executionArn: string }> {
    const severity = input.severity as Severity;
    const entry = this.machines[severity];
    if (!entry) throw new Error(`No escalation state machine for ${input.severity}`);
    const name = escalationExecutionName(input);
    return this.run('escalation', entry, localStateMachineArn(severity), name, input, this.scaleInput(input));
  }

  /** Found by name, as Step Functions would: an unknown severity or name is a harmless no-op. */
  async stopRun(execution: EscalationIdentity, reason: string): Promise<void> {
    if (!SEVERITIES.includes(execution.severity as Severity)) return;
    const arn = executionArnFor(
      localStateMachineArn(execution.severity as Severity),
      escalationExecutionName(execution),
    );
    await this.stop(arn, reason);
  }

  private startPostmortemReminders(input: PostmortemReminderInput): Promise<{ executionArn: string }> {
    const name = executionNameFor(input.executionName);
    return this.run(
      'postmortem-reminder',
      this.postmortemMachine,
      LOCAL_POSTMORTEM_STATE_MACHINE_ARN,
      name,
      input,
      this.scalePostmortemInput(input),
    );
  }

  private async run(
    kind: LocalMachineKind,
    entry: LocalMachine,
    stateMachineArn: string,
    name: string,
    input: LocalExecution['input'],
    scaledInput: LocalExecution['input'],
  ): Promise<{ executionArn: string }> {
    const executionArn = executionArnFor(stateMachineArn, name);
    // Same name, same incident: Step Functions answers a repeated start with the existing execution.
    if (this.executions.has(executionArn)) return { executionArn };

    const execution: LocalExecution = {
      kind,
      executionArn,
      name,
      stateMachineArn,
      status: 'RUNNING',
      startDate: this.options.clock.now().toISOString(),
      input,
      statesEntered: [],
      stateTransitions: 0,
    };
    this.executions.set(executionArn, execution);
    const waking = new AbortController();
    const run = entry.machine.run(scaledInput as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(entry, waking.signal),
        retryIntervalOverrides: this.retryOverrides(entry.definition),
        waitTimeOverrides: this.waitOverrides(entry.definition),
      },
      noThrowOnAbort: true,
    });
    this.aborters.set(executionArn, () => {
      run.abort();
      waking.abort();
    });
    const tracking = this.track(execution, run.result, run.eventLogs);
    this.running.add(tracking);
    void tracking.finally(() => this.running.delete(tracking));
    this.options.onChange?.(execution);
    return { executionArn };
  }

  async stop(executionArn: string, reason: string): Promise<void> {
    const execution = this.executions.get(executionArn);
    if (execution?.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.stopDate = this.options.clock.now().toISOString();
    execution.error = reason;
    this.aborters.get(executionArn)?.();
    this.options.onChange?.(execution);
  }

  /** The ladder runs `timeScale` times faster: at `now`, it stands that much further from its start. */
  ladderTime(ladderStart: string, now: Date): Date {
    const start = Date.parse(ladderStart);
    return new Date(start + (now.getTime() - start) * this.options.timeScale);
  }

  /** The executions of one kind of machine (escalations unless asked otherwise), oldest first. */
  list(kind: LocalMachineKind | 'all' = 'escalation'): LocalExecution[] {
    return [...this.executions.values()].filter((execution) => kind === 'all' || execution.kind === kind);
  }

  get(executionArn: string): LocalExecution | undefined {
    return this.executions.get(executionArn);
  }

  /** Aborts everything still running (process shutdown, end of a test). */
  async shutdown(): Promise<void> {
    for (const execution of this.executions.values()) {
      if (execution.status === 'RUNNING') await this.stop(execution.executionArn, 'local runtime stopped');
    }
    await Promise.allSettled([...this.running]);
    // Let pages already under way finish their writes before the caller closes the database.
    await Promise.allSettled([...this.tasksInFlight]);
    this.unwatch();
  }

  /** Due times are absolute; compress the distance from the incident's open time. */
  private scaleInput(input: EscalationInput): EscalationInput {
    const scale = this.options.timeScale;
    if (scale === 1) return input;
    const opened = Date.parse(input.openedAt);
    return {
      ...input,
      steps: input.steps.map((step) => ({
        ...step,
        dueAt: new Date(opened + (Date.parse(step.dueAt) - opened) / scale).toISOString(),
      })),
    };
  }

  /** Post-mortem reminder times are absolute too; compress their distance from the resolution. */
  private scalePostmortemInput(input: PostmortemReminderInput): PostmortemReminderInput {
    const scale = this.options.timeScale;
    if (scale === 1) return input;
    const resolved = Date.parse(input.resolvedAt);
    const scaled = (at: string) => new Date(resolved + (Date.parse(at) - resolved) / scale).toISOString();
    return {
      ...input,
      ...(input.remindAt ? { remindAt: scaled(input.remindAt) } : {}),
      ...(input.dueAt ? { dueAt: scaled(input.dueAt) } : {}),
    };
  }

  /** Waits of a fixed number of seconds (the pause after a failed reminder) pass faster too. */
  private waitOverrides(definition: StateMachineDefinition): Record<string, number> {
    const overrides: Record<string, number> = {};
    for (const [name, state] of allStates(definition as unknown as { States: Record<string, AnyState> })) {
      if (state.Type === 'Wait' && state.Seconds !== undefined) {
        overrides[name] = (state.Seconds * 1000) / this.options.timeScale;
      }
    }
    return overrides;
  }

  /**
   * Retry pauses are the emulator's timers; on a manual clock they take no time, as a test that
   * moved the clock would not wait for them (the attempts and their order are unchanged).
   */
  private retryOverrides(definition: StateMachineDefinition): Record<string, number[]> {
    const overrides: Record<string, number[]> = {};
    const manual = this.options.clock.kind === 'manual';
    for (const [name, state] of allStates(definition as unknown as { States: Record<string, AnyState> })) {
      if (!state.Retry) continue;
      overrides[name] = state.Retry.map((retrier) =>
        manual ? 0 : ((retrier.IntervalSeconds ?? 1) * 1000) / this.options.timeScale,
      );
    }
    return overrides;
  }

  private taskHandlers(entry: LocalMachine, waking: AbortSignal): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const [name, state] of allStates(entry.definition as unknown as { States: Record<string, AnyState> })) {
      if (state.Type !== 'Task') continue;
      if (entry.clockWaits.has(name)) {
        // Asleep on the clock is not at work: a manual clock's advance wakes it.
        handlers[name] = (input) => this.waitOnClock(input, waking);
        continue;
      }
      const handler = this.handlerFor(name, state.Resource ?? '');
      handlers[name] = (...args: Parameters<TaskHandler>) => this.inFlight(Promise.resolve(handler(...args)));
    }
    return handlers;
  }

  /** A Wait state's wait, on the clock: until its timestamp, or its seconds (time-scaled as the emulator's would be). */
  private async waitOnClock(input: Json, waking: AbortSignal): Promise<Json> {
    const { until, seconds } = input as { until?: string; seconds?: number };
    const at =
      until !== undefined
        ? Date.parse(until)
        : this.options.clock.now().getTime() + ((seconds ?? 0) * 1000) / this.options.timeScale;
    await this.options.clock.sleepUntil(at, waking);
    return null;
  }

  private inFlight<T>(work: Promise<T>): Promise<T> {
    this.tasksInFlight.add(work);
    const done = () => this.tasksInFlight.delete(work);
    work.then(done, done);
    return work;
  }

  /** What each service integration does on AWS, done locally with the same input and output shapes. */
  private handlerFor(stateName: string, resource: string): TaskHandler {
    switch (resource) {
      case 'arn:aws:states:::lambda:invoke':
        return async (input) => {
          const { FunctionName, Payload } = input as unknown as { FunctionName: string; Payload: unknown };
          const fn = this.options.functions[FunctionName];
          if (!fn)
            throw Object.assign(new Error(`No local function ${FunctionName}`), {
              name: 'Lambda.ResourceNotFoundException',
            });
          return { StatusCode: 200, Payload: (await fn(Payload)) as Json };
        };
      default:
        throw new Error(`State "${stateName}" uses ${resource}, which the local runtime cannot run`);
    }
  }

  private async track(
    execution: LocalExecution,
    result: Promise<unknown>,
    events: AsyncGenerator<{ type: string; state?: { name: string } }>,
  ): Promise<void> {
    const counting = (async () => {
      for await (const event of events) {
        if (event.type === 'StateEntered' && event.state) {
          execution.statesEntered.push(event.state.name);
          execution.stateTransitions += 1;
        }
      }
    })().catch(() => undefined);
    try {
      await result;
      if (execution.status === 'RUNNING') execution.status = 'SUCCEEDED';
    } catch (error) {
      if (execution.status === 'RUNNING') {
        execution.status = 'FAILED';
        execution.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    execution.stopDate ??= new Date().toISOString();
    this.aborters.delete(execution.executionArn);
    this.options.onChange?.(execution);
    await counting;
  }
}
