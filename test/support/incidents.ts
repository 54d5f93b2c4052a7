import type { Incident } from '../../lambdas/core/incident.js';

/** A SEV1 CloudWatch incident as intake would store it; tests override what they are about. */
export const anIncident = (changes: Partial<Incident> = {}): Incident => ({
  id: '01JD6Z3ZQ7W9Y2V8K4T5R6N3M1',
  title: 'orders-api-5xx',
  severity: 'SEV1',
  status: 'open',
  service: 'orders',
  dedupKey: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-5xx',
  source: 'cloudwatch',
  summary: 'Threshold Crossed: 1 out of the last 1 datapoints [12.0] was greater than the threshold (5.0).',
  openedAt: '2026-11-20T10:15:00.000Z',
  drill: false,
  alertCount: 1,
  lastAlertAt: '2026-11-20T10:15:00.000Z',
  details: {},
  ...changes,
});
