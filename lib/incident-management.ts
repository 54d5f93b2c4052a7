/**
 * Incident management: the functions behind the IAM-authorized routes that list, show,
 * acknowledge and resolve incidents, and the web console.
 */
import { Construct } from 'constructs';
import { type IncidentFunctionProps, KlaxonFunction } from './klaxon-function.js';

/** The store, event bus and escalations the incident routes act on, and how their functions are built. */
export type IncidentManagementProps = IncidentFunctionProps;

export class IncidentManagement extends Construct {
  readonly function: KlaxonFunction;
  /** The web console: server-rendered pages over the same incidents. */
  readonly consoleFunction: KlaxonFunction;

  constructor(scope: Construct, id: string, props: IncidentManagementProps) {
    super(scope, id);
    // Resolving stops the escalation; a drill (POST /v1/drills) opens an incident and starts one.
    this.function = KlaxonFunction.forIncidents(
      this,
      'Function',
      {
        entry: 'lambdas/entry/incidents-api.ts',
        description: 'Klaxon: lists, shows, acknowledges and resolves incidents',
      },
      props,
    );
    // Resolving from the console stops the escalation; its "Escalate now" button re-plans the
    // ladder, which stops the running execution and starts the next run.
    this.consoleFunction = KlaxonFunction.forIncidents(
      this,
      'ConsoleFunction',
      {
        entry: 'lambdas/entry/web-console.ts',
        description: 'Klaxon: the web console (incidents, timelines, acknowledge, resolve, notes)',
      },
      props,
    );
  }
}
