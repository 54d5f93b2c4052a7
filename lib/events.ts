/**
 * The EventBridge bus for incident lifecycle events (opened, acknowledged, paged, resolved), for
 * other tools to subscribe to: chat, status pages, ticketing. Alarms arrive on the default bus,
 * not this one.
 */
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LIFECYCLE_EVENT_SOURCE } from '../lambdas/core/lifecycle-events.js';

export interface IncidentEventBusProps {
  /** The bus name; subscribers' rules name it. */
  readonly eventBusName: string;
}

export class IncidentEventBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: IncidentEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: `Klaxon incident lifecycle events (source "${LIFECYCLE_EVENT_SOURCE}")`,
    });
  }

  /** events:PutEvents on this bus only. */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.bus.grantPutEventsTo(grantee);
  }
}
