/**
 * Ties each invocation's log lines together: the Lambda context (request id, cold start) and the
 * incident id as Powertools' correlation id, so one CloudWatch Logs Insights query
 * (`filter correlation_id = "01J…"`) finds an incident's lines across all three functions.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** The incident an invocation is about, when the event names one before the handler runs. */
export type IncidentIdOf = (event: unknown) => string | undefined;

/** The state machine's page request: `{ incidentId, step }`. */
export const incidentIdOfPageRequest: IncidentIdOf = (event) => stringAt(event, ['incidentId']);

/** The management routes: `/v1/incidents/{id}/…`. Alert routes name no incident yet. */
export const incidentIdOfApiRequest: IncidentIdOf = (event) => stringAt(event, ['pathParameters', 'id']);

function stringAt(value: unknown, path: readonly string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' && current.length > 0 ? current : undefined;
}

export function withIncidentCorrelation<Event, Result>(
  logger: Logger,
  handler: (event: Event, context: Context) => Promise<Result>,
  incidentIdOf: IncidentIdOf,
): (event: Event, context: Context) => Promise<Result> {
  return async (event, context) => {
    logger.addContext(context);
    // Set on every invocation: a warm container must not carry the last incident’s id over.
    logger.setCorrelationId(incidentIdOf(event) ?? context.awsRequestId);
    return handler(event, context);
  };
}
