/**
 * What intake keeps beside incidents: maintenance windows per service, and notices about the
 * senders themselves (an SNS subscription cut off). Pure types and decisions; the DynamoDB adapter
 * is lambdas/adapters/dynamo-intake-records.ts.
 */

export interface MaintenanceWindow {
  service: string;
  startsAt: string;
  endsAt: string;
  reason?: string;
  by: string;
}

/** Something a person must hear about the alert senders, e.g. `sns-unsubscribed`. */
export interface SenderNotice {
  kind: 'sns-unsubscribed';
  at: string;
  /** Unique per notice; a redelivery with the same id is recorded once. */
  id: string;
  message: string;
  topicArn?: string;
}

/** A delivery that was processed to the end: a replay of it (same deliveryId) does nothing. */
export interface ProcessedDelivery {
  deliveryId: string;
  at: string;
  outcome: string;
  incidentId?: string;
}

/**
 * How long a processed delivery is remembered (DynamoDB's TTL removes it later; local keeps it):
 * well beyond SNS's Timestamp window (75 minutes, older messages are refused before this is read)
 * and EventBridge's 24 hours of retries.
 */
export const PROCESSED_DELIVERY_KEPT_SECONDS = 7 * 86_400;

export interface IntakeRecordStore {
  /** Sets the service's window (one per service: a new one replaces it). */
  putMaintenance(window: MaintenanceWindow): Promise<void>;
  getMaintenance(service: string): Promise<MaintenanceWindow | undefined>;
  /** Records a notice once per id; says whether this call recorded it. */
  recordNotice(notice: SenderNotice): Promise<boolean>;
  /** Notices of one kind, newest first. */
  listNotices(kind: SenderNotice['kind'], limit: number): Promise<SenderNotice[]>;
  /** Remembers a delivery processed to the end (the first record stands). */
  recordProcessedDelivery(delivery: ProcessedDelivery): Promise<void>;
  processedDelivery(deliveryId: string): Promise<ProcessedDelivery | undefined>;
}

export interface IntakeRecordDeps {
  records: IntakeRecordStore;
}
