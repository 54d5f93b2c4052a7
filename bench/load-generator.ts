/**
 * autocannon in a process of its own. Run in the server's process, the load generator's own
 * work (building requests, parsing responses, its timers) sat on the event loop it was timing;
 * here it has its own, as any real sender does. The parent sends the plan as JSON on stdin and
 * reads the result as JSON on stdout.
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

export interface LoadPlan {
  url: string;
  path: string;
  connections: number;
  /** Requests per second over all connections (omit: as fast as the server answers). */
  overallRate?: number;
  /** Seconds to run; or `amount`: how many requests in all. */
  duration?: number;
  amount?: number;
  /** Sent in turn, one per request, cycling when there are more requests than bodies. */
  bodies: string[];
}

export interface LoadResult {
  requests: number;
  non_2xx: number;
  errors: number;
  /** Per-response time of every 2xx answer, in ms (autocannon's histogram keeps whole ms only). */
  latencies_ms: number[];
  /** Wall time from the first request to the last answer. */
  seconds: number;
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: plan.url,
        connections: plan.connections,
        // autocannon refuses keys present with an undefined value.
        ...(plan.overallRate === undefined ? {} : { overallRate: plan.overallRate }),
        ...(plan.duration === undefined ? {} : { duration: plan.duration }),
        ...(plan.amount === undefined ? {} : { amount: plan.amount }),
        requests: [
          {
            method: 'POST',
            path: plan.path,
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: plan.bodies[next++ % plan.bodies.length] }),
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  return {
    requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors,
    latencies_ms: latencies,
    seconds: (performance.now() - started) / 1000,
  };
}

const STARTED = 'load started\n';

/**
 * Runs `plan` in a child process. `during`, if given, starts in this process when the first
 * request is about to go out and is told when the load is over.
 */
export async function generateLoad<T = undefined>(
  plan: LoadPlan,
  during?: (loadOn: () => boolean) => Promise<T>,
): Promise<{ load: LoadResult; during: T | undefined }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  let running = false;
  let duringResult: Promise<T> | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (!running && duringResult === undefined && output.startsWith(STARTED)) {
      running = true;
      duringResult = during?.(() => running);
    }
  });
  const load = await new Promise<LoadResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      running = false;
      if (code !== 0) return reject(new Error(`The load generator exited with ${code}`));
      resolve(JSON.parse(output.slice(STARTED.length)) as LoadResult);
    });
    child.stdin.end(JSON.stringify(plan));
  });
  return { load, during: await duringResult };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  let input = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) input += chunk;
  const plan = JSON.parse(input) as LoadPlan;
  process.stdout.write(STARTED);
  const result = await run(plan);
  process.stdout.write(JSON.stringify(result));
}
