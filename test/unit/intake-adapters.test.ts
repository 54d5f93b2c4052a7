/** The intake records on dynalite, and the SNS signature verifier's certificate handling. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoIntakeRecords } from '../../lambdas/adapters/dynamo-intake-records.js';
import {
  CertificateUnavailableError,
  checkSigningCertUrl,
  checkSnsEnvelope,
  checkSubscribeUrl,
  httpsCertificateFetcher,
  httpsSubscriptionConfirmer,
  SignatureRejectedError,
  snsSignatureVerifier,
} from '../../lambdas/adapters/sns-signature.js';
import { deliveryKey, TTL_ATTRIBUTE } from '../../lambdas/adapters/table-layout.js';
import type { IntakeRecordStore } from '../../lambdas/core/intake-records.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { LocalSns, localSigningIdentity } from '../../local/sns-stand-in.js';

describe('DynamoDB intake records', () => {
  let dynamo: LocalDynamoDb;
  let records: IntakeRecordStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'records-test' });
    records = dynamoIntakeRecords(dynamo.client, 'records-test');
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('keeps one maintenance window per service, the latest replacing the one before', async () => {
    expect(await records.getMaintenance('payments')).toBeUndefined();
    const first = {
      service: 'payments',
      startsAt: '2026-11-20T10:00:00.000Z',
      endsAt: '2026-11-20T11:00:00.000Z',
      by: 'a',
    };
    await records.putMaintenance(first);
    await records.putMaintenance({ ...first, endsAt: '2026-11-20T12:00:00.000Z', reason: 'longer', by: 'b' });
    expect(await records.getMaintenance('payments')).toEqual({
      service: 'payments',
      startsAt: '2026-11-20T10:00:00.000Z',
      endsAt: '2026-11-20T12:00:00.000Z',
      reason: 'longer',
      by: 'b',
    });
    expect(await records.getMaintenance('orders')).toBeUndefined();
  });

  it('records a notice once per id and lists the newest first', async () => {
    const notice = (id: string, at: string) => ({ kind: 'sns-unsubscribed' as const, id, at, message: `m-${id}` });
    expect(await records.recordNotice(notice('a', '2026-11-20T10:00:00.000Z'))).toBe(true);
    expect(await records.recordNotice(notice('a', '2026-11-20T10:00:00.000Z'))).toBe(false);
    expect(await records.recordNotice(notice('b', '2026-11-20T11:00:00.000Z'))).toBe(true);
    expect((await records.listNotices('sns-unsubscribed', 10)).map((item) => item.id)).toEqual(['b', 'a']);
  });

  it('remembers a processed delivery, the first record standing, with a TTL past the replay window', async () => {
    expect(await records.processedDelivery('sns:m-1')).toBeUndefined();
    const first = { deliveryId: 'sns:m-1', at: '2026-11-20T10:00:00.000Z', outcome: 'opened', incidentId: 'I1' };
    await records.recordProcessedDelivery(first);
    await records.recordProcessedDelivery({ ...first, at: '2026-11-20T10:00:01.000Z', outcome: 'deduplicated' });
    expect(await records.processedDelivery('sns:m-1')).toEqual(first);
    const { Item } = await DynamoDBDocumentClient.from(dynamo.client).send(
      new GetCommand({ TableName: 'records-test', Key: deliveryKey('sns:m-1') }),
    );
    expect(Item?.[TTL_ATTRIBUTE]).toBe(Date.parse(first.at) / 1000 + 7 * 86_400);
  });

  it('never scans', () => {
    expect(dynamo.operationCounts.get('ScanCommand') ?? 0).toBe(0);
  });
});

describe('SNS signature verifier', () => {
  let sns: LocalSns;
  beforeAll(async () => {
    sns = new LocalSns(await localSigningIdentity());
  });

  it('fetches a certificate once per URL, and only after the host and https checks', async () => {
    const fetched: string[] = [];
    const verifier = snsSignatureVerifier(async (url) => {
      fetched.push(url.href);
      return sns.certificateFetcher()(url);
    });
    const message = () => sns.notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello' });
    await verifier.verify(message());
    await verifier.verify(message());
    expect(fetched).toEqual([sns.certificateUrlFor('arn:aws:sns:us-east-1:123456789012:t')]);

    const foreign = {
      ...message(),
      SigningCertURL: 'https://example.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
    };
    await expect(verifier.verify(foreign)).rejects.toThrow('is not an SNS host');
    expect(fetched).toHaveLength(1);
  });

  it('refuses a URL that answers with something other than a certificate', async () => {
    const verifier = snsSignatureVerifier(async () => '<html>not a certificate</html>');
    const message = sns.notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello' });
    await expect(verifier.verify(message)).rejects.toBeInstanceOf(SignatureRejectedError);
  });

  it('refuses a valid signature made with a different certificate than the URL serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'klaxon-signer-'));
    try {
      const other = new LocalSns(await localSigningIdentity(dataDir));
      // A --data folder keeps the signer: the next start signs with the same certificate.
      expect((await localSigningIdentity(dataDir)).certificate).toBe((await localSigningIdentity(dataDir)).certificate);
      const verifier = snsSignatureVerifier(sns.certificateFetcher());
      const signedByOther = other.notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hello' });
      const pretending = { ...signedByOther, SigningCertURL: sns.certificateUrlFor(signedByOther.TopicArn ?? '') };
      await expect(verifier.verify(pretending)).rejects.toThrow('Invalid Signature');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SNS hosts and envelopes, checked before any fetch', () => {
  const cert = 'SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
  const topics = {
    aws: 'arn:aws:sns:eu-west-1:123456789012:alarms',
    cn: 'arn:aws-cn:sns:cn-north-1:123456789012:alarms',
    gov: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:alarms',
  };

  it.each([
    [topics.aws, `https://sns.eu-west-1.amazonaws.com/${cert}`, true],
    [topics.cn, `https://sns.cn-north-1.amazonaws.com.cn/${cert}`, true],
    [topics.gov, `https://sns.us-gov-west-1.amazonaws.com/${cert}`, true],
    // An S3 bucket named "sns" (and its accelerate, website or dualstack hosts) is anyone's.
    [topics.aws, `https://sns.s3-accelerate.amazonaws.com/${cert}`, false],
    [topics.aws, `https://sns.s3.amazonaws.com/${cert}`, false],
    [topics.aws, `https://sns.s3-website-eu-west-1.amazonaws.com/${cert}`, false],
    [topics.aws, `https://sns.execute-api.amazonaws.com/${cert}`, false],
    // Another region's SNS host, or the other partition's domain, is not the topic's.
    [topics.aws, `https://sns.us-east-1.amazonaws.com/${cert}`, false],
    [topics.aws, `https://sns.eu-west-1.amazonaws.com.cn/${cert}`, false],
    [topics.cn, `https://sns.cn-north-1.amazonaws.com/${cert}`, false],
    [topics.aws, `https://sns.eu-west-1.amazonaws.com.evil.example/${cert}`, false],
    [topics.aws, `https://sns.eu-west-1.amazonaws.com:8443/${cert}`, false],
    [topics.aws, `https://user@sns.eu-west-1.amazonaws.com/${cert}`, false],
    [topics.aws, `http://sns.eu-west-1.amazonaws.com/${cert}`, false],
    [topics.aws, 'https://sns.eu-west-1.amazonaws.com/certificate.pem', false],
    [topics.aws, `https://sns.eu-west-1.amazonaws.com/${cert}?x=1`, false],
    [topics.aws, `https://sns.eu-west-1.amazonaws.com/${cert.replace('.pem', '.txt')}`, false],
    // A partition SNS does not sign from with these hosts.
    ['arn:aws-iso:sns:us-iso-east-1:123456789012:alarms', `https://sns.us-iso-east-1.amazonaws.com/${cert}`, false],
  ])('topic %s: SigningCertURL %s accepted: %s', (topic, url, accepted) => {
    const check = () => checkSigningCertUrl(url, topic);
    if (accepted) expect(check().href).toBe(url);
    else expect(check).toThrow(SignatureRejectedError);
  });

  it("accepts a SubscribeURL only on the topic's SNS host", () => {
    const confirm = 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t';
    expect(checkSubscribeUrl(confirm, topics.aws).hostname).toBe('sns.eu-west-1.amazonaws.com');
    expect(() => checkSubscribeUrl(confirm.replace('sns.eu-west-1', 'sns.s3-accelerate'), topics.aws)).toThrow(
      'is not an SNS host',
    );
  });

  const now = new Date('2026-12-05T12:00:00.000Z');
  const envelope = (changes: Record<string, string> = {}) => ({
    Type: 'Notification',
    TopicArn: topics.aws,
    Timestamp: '2026-12-05T11:59:58.000Z',
    SigningCertURL: `https://sns.eu-west-1.amazonaws.com/${cert}`,
    ...changes,
  });

  it.each([
    ['a topic not allowed', { TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other' }, 'is not allowed'],
    [
      'a certificate on an S3 host',
      { SigningCertURL: `https://sns.s3-accelerate.amazonaws.com/${cert}` },
      'not an SNS host',
    ],
    ['a message published 76 minutes ago', { Timestamp: '2026-12-05T10:44:00.000Z' }, 'this is a replay'],
    ['a message from 6 minutes in the future', { Timestamp: '2026-12-05T12:06:00.000Z' }, 'check the clocks'],
  ])('refuses %s', (_, changes, says) => {
    expect(() => checkSnsEnvelope(envelope(changes), [topics.aws], now)).toThrow(says);
  });

  it('accepts an allowed topic signed from its own host, published up to 75 minutes ago or 5 minutes ahead', () => {
    for (const Timestamp of ['2026-12-05T10:45:00.000Z', '2026-12-05T12:05:00.000Z']) {
      expect(() => checkSnsEnvelope(envelope({ Timestamp }), [topics.aws], now)).not.toThrow();
    }
  });
});

describe('AWS-mode certificate fetcher and subscription confirmer', () => {
  // A loopback server stands in for SNS's certificate and confirmation hosts; the host check is
  // the verifier's (tested above), these only fetch what they are given.
  let server: Server;
  let base: string;
  const visited: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      visited.push(request.url ?? '');
      const status = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end('-----BEGIN CERTIFICATE-----\nstub\n-----END CERTIFICATE-----\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('returns the certificate text on 200', async () => {
    await expect(httpsCertificateFetcher(new URL(`${base}/cert.pem`))).resolves.toContain('BEGIN CERTIFICATE');
  });

  it('refuses (403) on a 4xx and asks for a retry (5xx) on a 5xx or an unreachable host', async () => {
    await expect(httpsCertificateFetcher(new URL(`${base}/cert.pem?status=404`))).rejects.toBeInstanceOf(
      SignatureRejectedError,
    );
    await expect(httpsCertificateFetcher(new URL(`${base}/cert.pem?status=503`))).rejects.toBeInstanceOf(
      CertificateUnavailableError,
    );
    await expect(httpsCertificateFetcher(new URL('http://127.0.0.1:1/cert.pem'))).rejects.toBeInstanceOf(
      CertificateUnavailableError,
    );
  });

  it('confirms a subscription by visiting its SubscribeURL, and fails when SNS says no', async () => {
    await httpsSubscriptionConfirmer(new URL(`${base}/?Action=ConfirmSubscription&Token=t`));
    expect(visited).toContain('/?Action=ConfirmSubscription&Token=t');
    await expect(httpsSubscriptionConfirmer(new URL(`${base}/?status=403`))).rejects.toThrow('answered 403');
  });
});
