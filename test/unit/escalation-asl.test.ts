/**
 * The state machines' ASL itself (escalation and post-mortem reminders): structural rules every
 * Task must follow, and the files run on aws-local-stepfunctions against dynalite, the way the
 * local runtime runs them.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dynamoIncidentStore } from '../../lambdas/adapters/dynamo-incident-store.js';
import { systemClock } from '../../lambdas/adapters/system.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { EscalationInput, EscalationStep } from '../../lambdas/core/ladder.js';
import type { IncidentStore } from '../../lambdas/core/ports.js';
import { firstRun, runExecutionName } from '../../lambdas/core/runs.js';
import {
  allStates,
  loadEscalationDefinition,
  loadPostmortemReminderDefinition,
  placeholdersOf,
  readAsl,
  STATE_MACHINE_NAMES,
} from '../../lib/asl.js';
import { timerClock } from '../../local/clock.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { LocalStepFunctions } from '../../local/local-step-functions.js';
import { eventually } from '../support/local.js';

type State = {
  Type: string;
  Comment?: string;
  TimeoutSeconds?: number;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  Branches?: { States: Record<string, State> }[];
  ItemProcessor?: { States: Record<string, State> };
  MaxConcurrency?: number;
};
const PAGE_FUNCTION = 'arn:aws:lambda:us-east-1:1:function:p';
const definitions = {
  escalation: loadEscalationDefinition({ PageFunctionArn: PAGE_FUNCTION, Severity: 'SEV1' }),
  'postmortem-reminder': loadPostmortemReminderDefinition({ PageFunctionArn: PAGE_FUNCTION }),
};
const statesOf = (name: keyof typeof definitions) =>
  allStates(definitions[name] as unknown as { States: Record<string, State> });
const definition = definitions.escalation;
const states = statesOf('escalation');

// asl-validator ships CommonJS without type declarations; this is the part of its API we use.
type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

describe.each(STATE_MACHINE_NAMES)('%s ASL', (name) => {
  const machineStates = statesOf(name);

  it('passes asl-validator', () => {
    const result = validateAsl(definitions[name]);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('gives every Task, those inside Parallel branches too, a TimeoutSeconds, a Retry and a Comment', () => {
    const tasks = machineStates.filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [, state] of tasks) {
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
      expect(state.Retry?.length).toBeGreaterThan(0);
      expect(state.Comment).toBeTruthy();
    }
  });

  it('explains every state with a Comment, and uses JSONPath only (no JSONata, no Assign)', () => {
    expect(machineStates.filter(([, state]) => !state.Comment).map(([stateName]) => stateName)).toEqual([]);
    const text = readAsl(name);
    expect(text).not.toContain('"QueryLanguage"');
    expect(text).not.toContain('"Assign"');
  });

  it('only names errors that exist: States.*, Lambda.* or an error class in the code', () => {
    const named = machineStates.flatMap(([, state]) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((r) => r.ErrorEquals),
    );
    const ours = named.filter((error) => !error.startsWith('States.') && !error.startsWith('Lambda.'));
    for (const error of ours) {
      const found = execFileSync('grep', ['-rl', `name = '${error}'`, 'lambdas'], { encoding: 'utf8' });
      expect(found.trim()).not.toBe('');
    }
  });
});

describe('escalation ASL', () => {
  it('walks the ladder in a Map, a step at a time, with two states a step (status-update reminders are scheduled, not states)', () => {
    const [, map] = Object.entries(definition.States as Record<string, State>)[0] ?? [];
    expect(map?.Type).toBe('Map');
    expect(map?.MaxConcurrency).toBe(1);
    expect(Object.keys(map?.ItemProcessor?.States ?? {}).slice(0, 2)).toEqual([
      'Wait until the step is due',
      'Page the responders',
    ]);
  });

  it('has a substitution for every placeholder', () => {
    expect(placeholdersOf(readAsl('escalation'))).toEqual(['PageFunctionArn', 'Severity']);
    expect(placeholdersOf(readAsl('postmortem-reminder'))).toEqual(['PageFunctionArn']);
    expect(JSON.stringify(definitions['postmortem-reminder'])).not.toContain('${');
    expect(JSON.stringify(definition)).not.toContain('${');
  });

  it("has the ladder's two Tasks, reached by the checks above", () => {
    const tasks = states.filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(['Fall back to email and backup people', 'Page the responders']);
  });
});

describe('escalation ASL on aws-local-stepfunctions', () => {
  let dynamo: LocalDynamoDb;
  let store: IncidentStore;
  const pages: { incidentId: string; step: EscalationStep }[] = [];
  let stepFunctions: LocalStepFunctions;
  const pageFunctionArn = 'arn:aws:lambda:local:000000000000:function:page';

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: 'asl-test' });
    store = dynamoIncidentStore(dynamo.client, 'asl-test');
    stepFunctions = new LocalStepFunctions({
      pageFunctionArn,
      functions: {
        [pageFunctionArn]: async (payload) => {
          const request = payload as { incidentId: string; step: EscalationStep };
          // The page task's own decision (pageStep in lambdas/core/paging.ts, tested there), in short.
          const { status } = (await store.getIncident(request.incidentId)) ?? {};
          if (status === 'resolved') return { paged: [], resolved: true, skipped: 'incident resolved' };
          if (status === 'acknowledged' && request.step.unless === 'acknowledged') {
            return { paged: [], resolved: false, skipped: 'incident acknowledged' };
          }
          pages.push(request);
          return { paged: [], resolved: false };
        },
      },
      timeScale: 1,
      clock: timerClock(systemClock),
    });
  });
  afterAll(async () => {
    await stepFunctions.shutdown();
    await dynamo.close();
  });

  const past = new Date(Date.now() - 60_000).toISOString();
  const step = (index: number, unless: EscalationStep['unless']): EscalationStep => ({
    index,
    dueAt: past,
    afterSeconds: index * 60,
    notify: ['primary'],
    channels: ['sms'],
    unless,
    run: 1,
  });

  async function run(id: string, status: Incident['status']) {
    const input: EscalationInput = {
      incidentId: id,
      severity: 'SEV1',
      openedAt: past,
      steps: [step(0, 'resolved'), step(1, 'acknowledged'), step(2, 'resolved')],
      executionName: runExecutionName(id, 1),
    };
    await store.createIncident({
      id,
      number: await store.allotIncidentNumber(),
      title: id,
      severity: 'SEV1',
      status,
      service: 's',
      team: 'ops',
      dedupKey: id,
      source: 'manual',
      summary: 's',
      openedAt: past,
      drill: false,
      alertCount: 1,
      lastAlertAt: past,
      details: {},
      run: firstRun({ by: 'test', at: past, ladder: input }),
    });
    const { executionArn } = await stepFunctions.start(input);
    return eventually(() => {
      const execution = stepFunctions.get(executionArn);
      return execution?.status !== 'RUNNING' ? execution : undefined;
    }, `execution ${id} to end`);
  }

  it('pages every step while nobody acknowledges', async () => {
    const execution = await run('open-incident', 'open');
    expect(execution.status).toBe('SUCCEEDED');
    expect(pages.filter((page) => page.incidentId === 'open-incident').map((page) => page.step.index)).toEqual([
      0, 1, 2,
    ]);
  });

  it('goes on past a step the page task skipped once acknowledged, to the last step', async () => {
    const execution = await run('acked-incident', 'acknowledged');
    expect(execution.status).toBe('SUCCEEDED');
    expect(pages.filter((page) => page.incidentId === 'acked-incident').map((page) => page.step.index)).toEqual([0, 2]);
    expect(execution.statesEntered.filter((state) => state === 'Page the responders')).toHaveLength(3);
    expect(execution.statesEntered).toContain('Ladder finished');
  });

  it('pages nobody once the incident is resolved', async () => {
    const execution = await run('resolved-incident', 'resolved');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered.at(-1)).toBe('Ladder finished');
    expect(pages.filter((page) => page.incidentId === 'resolved-incident')).toEqual([]);
  });
});
