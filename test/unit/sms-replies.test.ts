/** What an SMS reply asks for, and whose phone it came from (lambdas/core/sms-replies.ts). */

import { dynamoSmsReplies } from '../../lambdas/adapters/dynamo-sms-replies.js';
import type { Responder } from '../../lambdas/core/config.js';
import {
  parseSmsCommand,
  responderByPhone,
  type SmsReplyRecords,
  UNKNOWN_SENDER_ANSWER_SECONDS,
} from '../../lambdas/core/sms-replies.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';

describe('SMS reply commands', () => {
  it.each([
    ['ACK 142', { action: 'acknowledge', number: 142 }],
    ['ack #142', { action: 'acknowledge', number: 142 }],
    ['  Acknowledge   142. ', { action: 'acknowledge', number: 142 }],
    ['A142', { action: 'acknowledge', number: 142 }],
    ['RES 7', { action: 'resolve', number: 7 }],
    ['resolve #7', { action: 'resolve', number: 7 }],
    ['r7', { action: 'resolve', number: 7 }],
  ])('reads %j', (body, command) => {
    expect(parseSmsCommand(body)).toEqual(command);
  });

  it.each(['ACK', 'ok', 'ACK 142 143', 'ACK 0', 'yes 142', 'ACK 142 please', 'STOP', ''])(
    'takes %j for no command',
    (body) => {
      expect(parseSmsCommand(body)).toBeUndefined();
    },
  );

  it('knows a responder by their registered phone however it is written, and nobody by another', () => {
    const responders: Responder[] = [
      { id: 'primary-oncall', name: 'Priya Primary', email: 'p@example.com', phone: '+14155550101' },
      { id: 'secondary-oncall', name: 'Sam Secondary', email: 's@example.com', phone: '+14155550102' },
    ];
    expect(responderByPhone(responders, '+14155550101')?.id).toBe('primary-oncall');
    expect(responderByPhone(responders, '+1 (415) 555-0101')?.id).toBe('primary-oncall');
    expect(responderByPhone(responders, '+14155550199')).toBeUndefined();
    expect(responderByPhone(responders, '')).toBeUndefined();
  });
});

describe("the answer to a number that is no responder's, on dynalite", () => {
  let dynamo: LocalDynamoDb;
  let records: SmsReplyRecords;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'sms-replies-test' });
    records = dynamoSmsReplies(dynamo.client, 'sms-replies-test');
  });
  afterAll(async () => {
    await dynamo.close();
  });
  const at = (seconds: number) => new Date(Date.parse('2026-12-01T00:00:00.000Z') + seconds * 1000).toISOString();

  it('is claimed once per number until a day has passed', async () => {
    expect(await records.claimUnknownSenderAnswer('15550188888', at(0))).toBe(true);
    expect(await records.claimUnknownSenderAnswer('15550188888', at(1))).toBe(false);
    expect(await records.claimUnknownSenderAnswer('15550177777', at(1))).toBe(true);
    expect(await records.claimUnknownSenderAnswer('15550188888', at(UNKNOWN_SENDER_ANSWER_SECONDS - 1))).toBe(false);
    expect(await records.claimUnknownSenderAnswer('15550188888', at(UNKNOWN_SENDER_ANSWER_SECONDS))).toBe(true);
    expect(await records.claimUnknownSenderAnswer('15550188888', at(UNKNOWN_SENDER_ANSWER_SECONDS + 60))).toBe(false);
  });
});
