/**
 * What a never-acknowledged SEV1 bills in Step Functions, end to end on the local runtime (the
 * real ASL on aws-local-stepfunctions, one transition per state entered, as Step Functions bills):
 * its whole ladder, its status-update reminders and its post-mortem reminders take at most 35
 * state transitions, while every page and reminder still goes out.
 */
import { ManualClock } from '../../local/clock.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, openIncident, outbox, pagesIn, remindersIn, startTestRuntime } from '../support/local.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('state transitions of a never-acknowledged SEV1', () => {
  const clock = new ManualClock();
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('its ladder, status-update reminders and post-mortem reminders take at most 35 transitions', async () => {
    const opened = await openIncident(runtime, 'Card payments fail everywhere', 'critical');
    await clock.advance(2 * HOUR);
    const messages = (await outbox(runtime)).filter(
      (message) => message.service === 'sns' && message.incidentId === opened.id,
    );
    expect(pagesIn(messages)).toHaveLength(6);
    // Every 15 minutes for the two hours, to the primary: none of them is a state.
    const statusReminders = remindersIn(messages, 'status-update-reminder');
    expect(statusReminders.map((reminder) => reminder.at)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => new Date(Date.parse(opened.openedAt) + n * 15 * MINUTE).toISOString()),
    );

    expect((await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' })).status).toBe(
      200,
    );
    await clock.advance(48 * HOUR);
    const after = (await outbox(runtime)).filter(
      (message) => message.service === 'sns' && message.incidentId === opened.id,
    );
    expect(remindersIn(after, 'postmortem-reminder')).toHaveLength(2);
    expect(remindersIn(after, 'status-update-reminder')).toHaveLength(8);
    // The look planned for after the resolution found it resolved and planned no other.
    expect(runtime.schedules.list().filter((schedule) => schedule.work.payload.incidentId === opened.id)).toEqual([]);

    const executions = runtime.stepFunctions
      .list('all')
      .filter((execution) => execution.input.incidentId === opened.id);
    expect(executions.map((execution) => execution.kind)).toEqual(['escalation', 'postmortem-reminder']);
    const transitions = executions.reduce((sum, execution) => sum + execution.stateTransitions, 0);
    expect(transitions).toBeLessThanOrEqual(35);
  });
});
