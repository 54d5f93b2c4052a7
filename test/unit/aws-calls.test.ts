import { callFigures, criticalPath, type RecordedRequest } from '../../local/aws-calls.js';

const span = (start: number, end: number) => ({ start, end });

describe('the round trips a request waited for (the longest chain of calls, each after the previous ended)', () => {
  it.each([
    ['no call', [], 0],
    ['one call', [span(0, 5)], 1],
    ['three calls one after the other', [span(0, 5), span(6, 9), span(10, 12)], 3],
    ['a call that starts as the previous one ends', [span(0, 5), span(5, 9)], 2],
    ['two calls together, then one', [span(0, 5), span(1, 4), span(6, 9)], 2],
    ['three calls all together', [span(0, 5), span(0, 5), span(1, 3)], 1],
    // c starts after a ended but before b did: a → c is a chain, b → c is not.
    ['a call that overlaps only the longer of two earlier ones', [span(0, 10), span(5, 15), span(12, 20)], 2],
    // A long call beside a chain of short ones: the chain is the critical path, whatever the order given.
    ['short calls in a row beside a long one', [span(11, 12), span(0, 10), span(4, 5), span(0, 1), span(2, 3)], 4],
  ])('%s', (_what, intervals, sequential) => {
    expect(criticalPath(intervals)).toBe(sequential);
  });
});

describe('the figures of one recorded request', () => {
  const request: RecordedRequest = {
    name: 'intake',
    startedAt: 0,
    answeredAt: 30,
    afterAnswer: [],
    calls: [
      { service: 'DynamoDB', operation: 'PutItem', start: 1, end: 5, failed: false },
      { service: 'DynamoDB', operation: 'GetItem', start: 6, end: 8, failed: false },
      { service: 'StepFunctions', operation: 'StartExecution', start: 6, end: 9, failed: false },
      { service: 'DynamoDB', operation: 'PutItem', start: 10, end: 12, failed: true },
      // Still under way at the answer: it counts, and ends at the answer.
      { service: 'EventBridge', operation: 'PutEvents', start: 13, failed: false },
    ],
  };

  it('counts every call, the chain of them, and each operation (a failed call is a call)', () => {
    expect(callFigures(request)).toEqual({
      calls: 5,
      sequential: 4,
      by_operation: {
        'DynamoDB.GetItem': 1,
        'DynamoDB.PutItem': 2,
        'EventBridge.PutEvents': 1,
        'StepFunctions.StartExecution': 1,
      },
    });
  });
});
