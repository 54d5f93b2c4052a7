/** The intake records on dynalite, and the SNS signature verifier's certificate handling. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoIntakeRecords } from '../../lambdas/adapters/dynamo-intake-records.js';
import {
  CertificateUnavailableError,
  httpsCertificateFetcher,
  httpsSubscriptionConfirmer,
  SignatureRejectedError,
  snsSignatureVerifier,
} from '../../lambdas/adapters/sns-signature.js';
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

  it('remembers the latest incident of a dedup key', async () => {
    expect(await records.latest('cloudwatch:arn')).toBeUndefined();
    await records.pointLatest('cloudwatch:arn', 'first');
    await records.pointLatest('cloudwatch:arn', 'second');
    expect(await records.latest('cloudwatch:arn')).toBe('second');
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
    expect(fetched).toEqual([sns.certificateUrl]);

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
      const pretending = { ...signedByOther, SigningCertURL: sns.certificateUrl };
      await expect(verifier.verify(pretending)).rejects.toThrow('Invalid Signature');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
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
