/**
 * Incident management: the functions behind the IAM-authorized routes that list, show,
 * acknowledge and resolve incidents, and the web console.
 */
import { Construct } from 'constructs';
import type { KlaxonConfigInput } from '../lambdas/core/config.js';
import type { EscalationWorkflows } from './escalation.js';
import type { IncidentEventBus } from './events.js';
import type { IncidentStore } from './incident-store.js';
import { KlaxonFunction } from './klaxon-function.js';

export interface IncidentManagementProps {
  /** Where incidents live: the function gets TABLE_NAME and item access. */
  readonly store: IncidentStore;
  /** Where lifecycle events go: the function gets EVENT_BUS_NAME and events:PutEvents. */
  readonly eventBus: IncidentEventBus;
  /** The tier state machines: the function gets ESCALATION_STATE_MACHINES. */
  readonly escalation: EscalationWorkflows;
  /** The Klaxon config as written, compiled into the function. */
  readonly bundledConfig: KlaxonConfigInput;
  /** X-Ray active tracing. @default false */
  readonly tracing?: boolean;
  /** POWERTOOLS_SERVICE_NAME: the `service` of its metrics and logs. @default 'klaxon' */
  readonly serviceName?: string;
}

export class IncidentManagement extends Construct {
  readonly function: KlaxonFunction;
  /** The web console: server-rendered pages over the same incidents. */
  readonly consoleFunction: KlaxonFunction;

  constructor(scope: Construct, id: string, props: IncidentManagementProps) {
    super(scope, id);
    this.function = new KlaxonFunction(this, 'Function', {
      entry: 'lambdas/entry/incidents-api.ts',
      description: 'Klaxon: lists, shows, acknowledges and resolves incidents',
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      serviceName: props.serviceName,
    })
      .bindTable(props.store, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ])
      // Resolving stops the escalation; a drill (POST /v1/drills) opens an incident and starts one.
      .bindEscalation(props.escalation, { start: true, stop: true })
      .bindEventBus(props.eventBus);

    this.consoleFunction = new KlaxonFunction(this, 'ConsoleFunction', {
      entry: 'lambdas/entry/web-console.ts',
      description: 'Klaxon: the web console (incidents, timelines, acknowledge, resolve, notes)',
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      serviceName: props.serviceName,
    })
      .bindTable(props.store, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ])
      // Resolving from the console stops the escalation; its "Escalate now" button re-plans the
      // ladder, which stops the running execution and starts the next run.
      .bindEscalation(props.escalation, { start: true, stop: true })
      .bindEventBus(props.eventBus);
  }
}
