/**
 * What a new user does first: `npm start`, then the command it prints. Runs the real entry point
 * as a child process, the way the README says.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { OutboxMessage } from '../../local/outbox.js';
import { eventually } from '../support/local.js';

describe('npm start', () => {
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'local/main.ts', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await eventually(() => output.includes('Press Ctrl+C'), 'the runtime to print its URL', 30_000);
  });

  afterAll(async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  });

  it('prints its URL and a ready-to-paste alarm that opens an incident and pages primary-oncall', async () => {
    const url = /running at (http:\/\/localhost:\d+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    const printed = /curl -sS -X POST (\S+) -H 'content-type: application\/json' -d '(.+)'/.exec(output);
    expect(printed?.[1]).toBe(`${url}/v1/alerts/events`);

    const reply = await fetch(printed?.[1] ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: printed?.[2],
    });
    expect(reply.status).toBe(202);

    const page = await eventually(async () => {
      const { messages } = (await (await fetch(`${url}/_local/outbox`)).json()) as { messages: OutboxMessage[] };
      return messages.find((message) => message.service === 'sns');
    }, 'the page in the outbox');
    expect(page).toMatchObject({ responder: 'primary-oncall' });
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
