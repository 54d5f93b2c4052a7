/**
 * Counts the AWS calls a request makes before its answer (`npm run bench:calls`). DynamoDB is a
 * real SDK client here (against dynalite): a middleware times each command. Step Functions,
 * EventBridge, SNS and Lambda are in-process stand-ins locally, so their calls are timed at the
 * core's ports instead, one per call the AWS adapter makes (lambdas/adapters/). Calls are kept per
 * request through AsyncLocalStorage; what the stand-ins do afterwards on their own (an
 * execution's page task, an asynchronous invocation) is another function's work on AWS and is
 * not counted against the request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CertificateFetcher, SubscriptionConfirmer } from '../lambdas/adapters/sns-signature.js';
import type { AlertInboxDispatcher } from '../lambdas/core/alert-inbox.js';
import type { EscalationRunner, LifecyclePublisher, PostmortemReminderRunner } from '../lambdas/core/ports.js';

export interface AwsCall {
  /** `DynamoDB`, `StepFunctions`, `EventBridge`, `SNS`, `Lambda`. */
  service: string;
  /** The API operation: `PutItem`, `StartExecution`, … */
  operation: string;
  /** What it touched, when that says which call it was: a DynamoDB item's `pk sk`, an execution's name. */
  target?: string;
  /** performance.now() milliseconds. */
  start: number;
  /** Absent: still under way when the request answered. */
  end?: number;
  failed: boolean;
}

export interface RecordedRequest {
  /** The function invoked (`intake`). */
  name: string;
  startedAt: number;
  answeredAt: number;
  /** The calls started before the answer, as they stood at the answer. */
  calls: AwsCall[];
  /**
   * Calls started in this invocation after its answer, as they come. On Lambda the function is
   * frozen once it answers: any here is work that would not happen, or another function's
   * counted here by mistake.
   */
  afterAnswer: AwsCall[];
}

interface Invocation {
  calls: AwsCall[];
  afterAnswer: AwsCall[];
  answered: boolean;
}

export interface CallFigures {
  /** Every AWS call the request made before its answer. */
  calls: number;
  /** The longest chain of calls each started after the previous one ended: round trips the answer waited for. */
  sequential: number;
  /** `Service.Operation` → count. */
  by_operation: Record<string, number>;
}

/** An interval as far as the chain is concerned: a call still under way ends at the answer. */
export interface Interval {
  start: number;
  end: number;
}

/**
 * The length of the longest chain of intervals, each starting at or after the end of the one
 * before it: calls made one after the other count each, calls made together (Promise.all) count
 * once. Longest path in the interval order, by dynamic programming over the intervals sorted by end.
 */
export function criticalPath(intervals: readonly Interval[]): number {
  const byEnd = [...intervals].sort((a, b) => a.end - b.end);
  const chain: number[] = [];
  let longest = 0;
  byEnd.forEach((interval, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) {
      const earlier = byEnd[j] as Interval;
      if (earlier.end <= interval.start) before = Math.max(before, chain[j] ?? 0);
    }
    chain[i] = before + 1;
    longest = Math.max(longest, before + 1);
  });
  return longest;
}

export function callFigures(request: RecordedRequest): CallFigures {
  const by_operation: Record<string, number> = {};
  for (const call of [...request.calls].sort((a, b) => operationName(a).localeCompare(operationName(b)))) {
    by_operation[operationName(call)] = (by_operation[operationName(call)] ?? 0) + 1;
  }
  return {
    calls: request.calls.length,
    sequential: criticalPath(request.calls.map((call) => ({ start: call.start, end: call.end ?? request.answeredAt }))),
    by_operation,
  };
}

export const operationName = (call: Pick<AwsCall, 'service' | 'operation'>) => `${call.service}.${call.operation}`;

/** An execution's name: the last part of its ARN. */
const executionName = ({ executionArn }: { executionArn: string }) => executionArn.split(':').at(-1);

type AttributeValue = string | { S?: string } | undefined;
const text = (value: AttributeValue) => (typeof value === 'string' ? value : value?.S);

/** `pk sk` of the item a DynamoDB command names (Item or Key; marshalled or not), if it names one. */
function dynamoTarget(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { Item, Key } = input as { Item?: Record<string, AttributeValue>; Key?: Record<string, AttributeValue> };
  const key = Item ?? Key;
  if (!key) return undefined;
  return [text(key.pk), text(key.sk)].filter(Boolean).join(' ') || undefined;
}

export class AwsCallRecorder {
  private readonly current = new AsyncLocalStorage<Invocation>();
  private readonly recorded: RecordedRequest[] = [];

  /** Runs one invocation of function `name`, keeping the AWS calls it makes until it answers. */
  async request<T>(name: string, work: () => Promise<T>): Promise<T> {
    const invocation: Invocation = { calls: [], afterAnswer: [], answered: false };
    const startedAt = performance.now();
    try {
      return await this.current.run(invocation, work);
    } finally {
      const answeredAt = performance.now();
      invocation.answered = true;
      const calls = invocation.calls.map((call) => ({ ...call }));
      this.recorded.push({ name, startedAt, answeredAt, calls, afterAnswer: invocation.afterAnswer });
    }
  }

  /** The requests recorded since the last take, oldest first; forgets them. */
  take(): RecordedRequest[] {
    return this.recorded.splice(0);
  }

  /**
   * Times one call against the request under way (none: not counted). `target` names what it
   * touched, from its input or from its result.
   */
  async call<T>(
    service: string,
    operation: string,
    work: () => Promise<T>,
    target?: string | ((result: T) => string | undefined),
  ): Promise<T> {
    const invocation = this.current.getStore();
    if (!invocation) return work();
    const call: AwsCall = { service, operation, start: performance.now(), failed: false };
    if (typeof target === 'string') call.target = target;
    (invocation.answered ? invocation.afterAnswer : invocation.calls).push(call);
    try {
      const result = await work();
      if (typeof target === 'function') call.target = target(result);
      return result;
    } catch (error) {
      call.failed = true;
      throw error;
    } finally {
      call.end = performance.now();
    }
  }

  /**
   * Runs `work` outside any request: a stand-in's own work that it starts (an execution's states,
   * an asynchronous invocation) is another function's on AWS, not the caller's.
   */
  private elsewhere<T>(work: () => T): T {
    return this.current.exit(work);
  }

  /**
   * Times every command of `client`, once per command (the SDK's retries of it included; the
   * bench injects no faults). Outermost in the stack, so the time is the caller's.
   */
  installOn(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => (args) =>
        this.call(
          'DynamoDB',
          (context.commandName ?? 'unknown').replace(/Command$/, ''),
          () => next(args),
          dynamoTarget(args.input),
        ),
      { step: 'initialize', priority: 'high', name: 'recordAwsCalls' },
    );
  }

  /** StartExecution / StopExecution, one per call as the Step Functions adapter makes them. */
  escalation(runner: EscalationRunner): EscalationRunner {
    const recorded: EscalationRunner = {
      start: (input) =>
        this.call('StepFunctions', 'StartExecution', () => this.elsewhere(() => runner.start(input)), executionName),
      stopRun: (execution, reason) =>
        this.call(
          'StepFunctions',
          'StopExecution',
          () => this.elsewhere(() => runner.stopRun(execution, reason)),
          execution.executionName,
        ),
    };
    // Where a ladder stands is arithmetic on the local time scale, no call.
    if (runner.ladderTime) recorded.ladderTime = runner.ladderTime.bind(runner);
    return recorded;
  }

  postmortems(runner: PostmortemReminderRunner): PostmortemReminderRunner {
    return {
      start: (input) =>
        this.call('StepFunctions', 'StartExecution', () => this.elsewhere(() => runner.start(input)), executionName),
    };
  }

  /** One PutEvents per publish of at least one event, as eventBridgePublisher sends them. */
  events(publisher: LifecyclePublisher): LifecyclePublisher {
    return {
      publish: (events) =>
        events.length === 0
          ? publisher.publish(events)
          : this.call('EventBridge', 'PutEvents', () => publisher.publish(events)),
    };
  }

  /** An asynchronous Invoke (InvocationType Event) of the intake function. */
  inboxDispatcher(dispatcher: AlertInboxDispatcher): AlertInboxDispatcher {
    return { dispatch: (ref) => this.call('Lambda', 'Invoke', () => this.elsewhere(() => dispatcher.dispatch(ref))) };
  }

  /** A GET of the SubscribeURL: SNS's ConfirmSubscription. */
  subscriptionConfirmer(confirm: SubscriptionConfirmer): SubscriptionConfirmer {
    return (subscribeUrl) => this.call('SNS', 'ConfirmSubscription', () => confirm(subscribeUrl));
  }

  /** A download of the SigningCertURL: a round trip to SNS on a cold start (the verifier caches it). */
  certificateFetcher(fetch: CertificateFetcher): CertificateFetcher {
    return (url) => this.call('SNS', 'SigningCertificate', () => fetch(url));
  }
}
