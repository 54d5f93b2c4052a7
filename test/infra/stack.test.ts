/**
 * The template checks of the Klaxon stack, in one test file. Each of them alone loads aws-cdk-lib
 * into a fresh module registry and synthesizes the stack, about 9 s of a 10 s file on two cores;
 * imported here, they load it once and read one synthesized stack (sharedKlaxon). Run one group
 * with -t, e.g. `npm run test:jest -- test/infra/stack.test.ts -t 'handoff schedules'`.
 */
import './alarm-intake.checks.js';
import './alarm-topic.checks.js';
import './chat.checks.js';
import './console-sign-in.checks.js';
import './escalation.checks.js';
import './functions.checks.js';
import './handoffs.checks.js';
import './health.checks.js';
import './http-api.checks.js';
import './incident-store.checks.js';
import './paging.checks.js';
import './runtime-schedules.checks.js';
import './sms-replies.checks.js';
import './permissions.checks.js';
import './secrets.checks.js';
import './voice.checks.js';
