/** The manual clock the end-to-end tests advance: who wakes, when, in what order, and what it waits for. */
import { ManualClock } from '../../local/clock.js';

const START = '2026-03-02T09:00:00.000Z';
const at = (clock: ManualClock, ms: number) => clock.now().getTime() + ms;

describe('the manual clock', () => {
  it('wakes sleepers in time order, each with the clock reading its own time, ties in the order they slept', async () => {
    const clock = new ManualClock(START);
    const woke: string[] = [];
    const sleep = (name: string, ms: number) =>
      void clock.sleepUntil(at(clock, ms)).then(() => woke.push(`${name}@${clock.now().toISOString().slice(11, 19)}`));
    sleep('c', 3_000);
    sleep('a', 1_000);
    sleep('b1', 2_000);
    sleep('b2', 2_000);
    await clock.advance(2_500);
    expect(woke).toEqual(['a@09:00:01', 'b1@09:00:02', 'b2@09:00:02']);
    expect(clock.now().toISOString()).toBe('2026-03-02T09:00:02.500Z');
    await clock.advance(500);
    expect(woke.at(-1)).toBe('c@09:00:03');
  });

  it('wakes at once a sleeper whose time has come, and on the same pass one that work puts to sleep on the way', async () => {
    const clock = new ManualClock(START);
    const woke: number[] = [];
    await clock.sleepUntil(at(clock, 0));
    void clock.sleepUntil(at(clock, 1_000)).then(async () => {
      woke.push(clock.now().getTime());
      await clock.sleepUntil(at(clock, 1_000));
      woke.push(clock.now().getTime());
    });
    await clock.advance(5_000);
    const start = Date.parse(START);
    expect(woke).toEqual([start + 1_000, start + 2_000]);
  });

  it('lets an aborted sleeper go without waking it later, and moves only forward', async () => {
    const clock = new ManualClock(START);
    const stop = new AbortController();
    const asleep = clock.sleepUntil(at(clock, 60_000), stop.signal);
    stop.abort();
    await asleep;
    expect(clock.nextWake).toBeUndefined();
    await expect(clock.advanceTo('2026-03-02T08:00:00.000Z')).rejects.toThrow('forward only');
  });

  it('waits for the work it watches before it wakes the next sleeper', async () => {
    const clock = new ManualClock(START);
    let busy = false;
    clock.watchWork(() => busy);
    const order: string[] = [];
    void clock.sleepUntil(at(clock, 1_000)).then(() => {
      busy = true;
      setTimeout(() => {
        order.push('work of the first');
        busy = false;
      }, 20);
    });
    void clock.sleepUntil(at(clock, 2_000)).then(() => order.push('second'));
    await clock.advance(2_000);
    expect(order).toEqual(['work of the first', 'second']);
  });
});
