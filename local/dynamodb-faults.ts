/**
 * Faults injected into the local DynamoDB client as a real SDK middleware, below the SDK's own
 * retries: each scheduled fault fails one attempt exactly as DynamoDB would answer it (a
 * throttle, a 500), so the SDK retries it and, once its attempts run out, the caller sees the
 * error. Tests use it to prove that a storage failure reaches the alert sender as a 5xx and that
 * the sender's retry completes the work. Inert until a fault is scheduled.
 */
import {
  type DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';

export type DynamoDbFaultKind = 'throttling' | 'internal-error';

export interface DynamoDbFault {
  /** The operation to fail: `PutItem`, `GetItem`, `UpdateItem`, `Query`… (document-client commands count as theirs). */
  operation: string;
  kind: DynamoDbFaultKind;
  /** How many attempts to fail in a row; the client makes 3 attempts per call. */
  attempts: number;
  /** Let this many matching attempts through first (e.g. 1 to spare the dedup claim and fail the incident write). */
  after?: number;
  /** Only attempts whose request names this text (a key, a value): fails the writes of one alert among many. */
  mentioning?: string;
}

/** `PutCommand` (document client) and `PutItemCommand` are the same DynamoDB operation, PutItem. */
export function operationOf(commandName: string | undefined): string {
  const name = (commandName ?? 'unknown').replace(/Command$/, '');
  return ['Put', 'Get', 'Update', 'Delete'].includes(name) ? `${name}Item` : name;
}

function faultError(kind: DynamoDbFaultKind) {
  const $metadata = { httpStatusCode: kind === 'throttling' ? 400 : 500, attempts: 1, totalRetryDelay: 0 };
  return kind === 'throttling'
    ? new ProvisionedThroughputExceededException({ message: 'Injected fault: throughput exceeded', $metadata })
    : new InternalServerError({ message: 'Injected fault: internal server error', $metadata });
}

/** The request's JSON body as text (the SDK serializes it to bytes). */
function requestText(request: unknown): string {
  const body = (request as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') return body;
  return body instanceof Uint8Array ? new TextDecoder().decode(body) : '';
}

export class DynamoDbFaults {
  private readonly scheduled: (DynamoDbFault & { seen: number; failed: number })[] = [];

  /** Fails the next matching attempts as described. */
  inject(fault: DynamoDbFault): void {
    this.scheduled.push({ ...fault, seen: 0, failed: 0 });
  }

  /** Scheduled faults not yet used up. */
  get pending(): number {
    return this.scheduled.filter((fault) => fault.failed < fault.attempts).length;
  }

  clear(): void {
    this.scheduled.length = 0;
  }

  /** Installs the middleware in the finalize step, inside the SDK's retry loop. */
  install(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = operationOf(context.commandName);
        const fault = this.scheduled.find(
          (each) =>
            each.operation === operation &&
            each.failed < each.attempts &&
            (each.mentioning === undefined || requestText(args.request).includes(each.mentioning)),
        );
        if (fault) {
          fault.seen += 1;
          if (fault.seen > (fault.after ?? 0)) {
            fault.failed += 1;
            throw faultError(fault.kind);
          }
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'injectFaults', priority: 'low' },
    );
  }
}
