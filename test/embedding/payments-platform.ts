/**
 * A team's own CDK app embedding Klaxon, the way the README shows: imported by the package's
 * name, with every default changed (a customer-managed key, tracing, other names, health
 * subscribers, the dashboard). test/embedding/app.ts is its entry point; test/infra/embedding.test.ts synthesizes both ways.
 */
import { type App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Klaxon, loadConfigFile } from 'klaxon';

export function buildEmbeddingApp(app: App): { stack: Stack; klaxon: Klaxon; key: kms.Key } {
  const stack = new Stack(app, 'PaymentsPlatform', { description: 'A team stack that also runs Klaxon' });
  const key = new kms.Key(stack, 'PlatformKey', {
    description: 'Payments platform data key',
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const { raw } = loadConfigFile(new URL('../../klaxon.config.json', import.meta.url).pathname);
  // The local config's key is public and synth refuses it; a team deploys its own (klaxon keys new).
  // This is the SHA-256 of random bytes that were thrown away: no key matches it.
  const integrationKeys = [
    { name: 'payments', sha256: 'ae8cc630a9d18f6ce701bc630fa011fc41e3901bcde3fb242ce6660ad53ba94a' },
  ];
  const klaxon = new Klaxon(stack, 'Pager', {
    config: { ...raw, integrationKeys },
    namePrefix: 'payments-oncall',
    encryptionKey: key,
    tracing: true,
    healthSubscribers: { emails: ['platform-team@example.com'], phones: ['+15550100199'] },
    dashboard: true,
  });
  return { stack, klaxon, key };
}
