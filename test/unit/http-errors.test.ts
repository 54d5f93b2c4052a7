/**
 * One mapping of the core's refusals to HTTP statuses, and one way of telling a person what a
 * schema refused: every route (JSON, console, ack pages) answers alike.
 */
import * as z from 'zod';
import { CertificateUnavailableError, SignatureRejectedError } from '../../lambdas/adapters/sns-errors.js';
import { MaintenanceWindowRefusedError } from '../../lambdas/core/maintenance.js';
import { InvalidCursorError } from '../../lambdas/core/ports.js';
import { IncidentNotFoundError, TransitionRefusedError, UnknownResponderError } from '../../lambdas/core/refusals.js';
import {
  ConflictError,
  type HttpEvent,
  httpErrorOf,
  json,
  routeOnFirstUse,
  validate,
} from '../../lambdas/handlers/http.js';
import { validationIssues } from '../../lambdas/handlers/validation.js';

describe('what a core refusal means over HTTP', () => {
  it.each([
    ['IncidentNotFoundError', 404, new IncidentNotFoundError('No incident with id X'), 'No incident with id X'],
    ['TransitionRefusedError', 409, new TransitionRefusedError('already resolved'), 'already resolved'],
    ['InvalidCursorError', 400, new InvalidCursorError('bad cursor'), 'bad cursor'],
    ['UnknownResponderError', 400, new UnknownResponderError('No responder "x"'), 'No responder "x"'],
    [
      'MaintenanceWindowRefusedError',
      400,
      new MaintenanceWindowRefusedError('until is in the past'),
      'until is in the past',
    ],
    ['SignatureRejectedError', 403, new SignatureRejectedError('Invalid Signature'), 'Invalid Signature'],
    [
      'CertificateUnavailableError',
      503,
      new CertificateUnavailableError('cert fetch failed'),
      'cert fetch failed; retry later',
    ],
    ['ConflictError', 409, new ConflictError('taken'), 'taken'],
  ])('%s is a %i', (_, status, error, message) => {
    expect(httpErrorOf(error)).toMatchObject({ statusCode: status, message });
  });

  it.each([
    ['a storage error', new Error('ProvisionedThroughputExceededException')],
    ['a bug', new TypeError('x is undefined')],
    ['a thrown string', 'a string'],
  ])('%s is no refusal: the caller gets a 5xx and retries', (_, error) => {
    expect(httpErrorOf(error)).toBeUndefined();
  });
});

describe('a refused value, told as one line per field', () => {
  const schema = z.strictObject({
    until: z.string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'must be a string') }),
    count: z.number().int(),
    kind: z.enum(['a', 'b']),
    items: z.array(z.object({ id: z.string() })),
  });

  it('names each field by its path, whatever the schema wrote', () => {
    const parsed = schema.safeParse({ count: 1.5, kind: 'c', items: [{}], extra: true });
    expect(parsed.success).toBe(false);
    expect(validationIssues(parsed.error as z.ZodError)).toEqual([
      "'until' is missing",
      "'count': Invalid input: expected int, received number",
      '\'kind\': Invalid option: expected one of "a"|"b"',
      "'items.0.id' is missing",
      '\'body\': Unrecognized key: "extra"',
    ]);
  });

  it('says which value was wrong when it is the whole of it', () => {
    const parsed = z.object({}).safeParse([]);
    expect(validationIssues(parsed.error as z.ZodError, 'query')).toEqual([
      "'query': Invalid input: expected object, received array",
    ]);
  });

  it('lists the first 20 problems and counts the rest', () => {
    const parsed = z.array(z.string()).safeParse(Array.from({ length: 25 }, (_, i) => i));
    const lines = validationIssues(parsed.error as z.ZodError);
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('and 5 more');
  });

  it('refuses with a 400 whose message and errors say the same', () => {
    expect(() => validate(schema, {}, 'form')).toThrow(
      expect.objectContaining({
        statusCode: 400,
        message: expect.stringMatching(/^Invalid form: 'until' is missing; /),
        fields: { errors: expect.arrayContaining(["'until' is missing"]) },
      }),
    );
  });
});

describe('a route loaded by its first request', () => {
  const event = { routeKey: 'POST /v1/alerts/events' } as HttpEvent;
  const lines: string[] = [];
  const logger = { info: () => {}, warn: () => {}, error: (message: string) => void lines.push(message) };

  it('answers a failed load as any failed request, a 503 that says to retry, and loads again on the next', async () => {
    let loads = 0;
    const route = routeOnFirstUse<undefined>(logger, async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk unreadable');
      return async () => json(202, { status: 'success' });
    });
    const failed = await route(event, undefined);
    expect(failed.statusCode).toBe(503);
    expect(JSON.parse(failed.body ?? '{}').message).toMatch(/^Klaxon could not complete the request .* Retry it/);
    expect(lines).toEqual(['Request failed']);
    expect((await route(event, undefined)).statusCode).toBe(202);
    expect(loads).toBe(2);
  });
});
