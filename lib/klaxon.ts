/**
 * Klaxon, as one construct another CDK app can embed: the incident store, alert intake,
 * escalation, paging, the lifecycle event bus and the HTTP API, wired together.
 */
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/environment.js';
import { type KlaxonConfigInput, parseConfig } from '../lambdas/core/config.js';
import { AlertIntake } from './alert-intake.js';
import { EscalationWorkflows } from './escalation.js';
import { IncidentEventBus } from './events.js';
import { KlaxonHttpApi } from './http-api.js';
import { IncidentManagement } from './incident-management.js';
import { IncidentStore } from './incident-store.js';
import { ResponderPaging } from './paging.js';

export interface KlaxonProps {
  /**
   * The Klaxon config as written in klaxon.config.json. It is validated here (an invalid one
   * throws ConfigError naming the field) and compiled into every function as written.
   */
  readonly config: KlaxonConfigInput;
  /**
   * Start of the names people and other tools see: the lifecycle bus (`<prefix>-incidents`),
   * responder topics (`<prefix>-responder-<id>`) and the HTTP API.
   * @default the stack name
   */
  readonly namePrefix?: string;
}

export class Klaxon extends Construct {
  readonly store: IncidentStore;
  readonly eventBus: IncidentEventBus;
  readonly paging: ResponderPaging;
  readonly escalation: EscalationWorkflows;
  readonly intake: AlertIntake;
  readonly management: IncidentManagement;
  readonly httpApi: KlaxonHttpApi;

  constructor(scope: Construct, id: string, props: KlaxonProps) {
    super(scope, id);
    const config = parseConfig(props.config);
    const bundledConfig = props.config;
    const namePrefix = props.namePrefix ?? Stack.of(this).stackName;

    this.store = new IncidentStore(this, 'IncidentStore');
    this.eventBus = new IncidentEventBus(this, 'IncidentEvents', { eventBusName: `${namePrefix}-incidents` });
    this.paging = new ResponderPaging(this, 'Paging', {
      responders: config.responders,
      topicNamePrefix: `${namePrefix}-responder-`,
      store: this.store,
      eventBus: this.eventBus,
      bundledConfig,
    });
    this.escalation = new EscalationWorkflows(this, 'Escalation', {
      store: this.store,
      pageFunction: this.paging.pageFunction,
    });
    const withEscalation = { store: this.store, eventBus: this.eventBus, escalation: this.escalation, bundledConfig };
    this.intake = new AlertIntake(this, 'AlertIntake', withEscalation);
    this.management = new IncidentManagement(this, 'IncidentManagement', withEscalation);
    this.httpApi = new KlaxonHttpApi(this, 'HttpApi', {
      apiName: namePrefix,
      handlers: { intake: this.intake.function, 'incidents-api': this.management.function },
    });
    // Pages carry acknowledge links. The API's endpoint does not depend on its routes, so this
    // adds no cycle (page function → API, routes → intake → state machines → page function).
    this.paging.pageFunction.addEnvironment(ENV.publicBaseUrl, this.httpApi.baseUrl);
  }
}
