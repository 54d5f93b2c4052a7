import { exportOnFirstUse, loadOnce } from '../../lambdas/core/load-once.js';

describe('a schema module loaded on first use', () => {
  test('concurrent first requests share one load, and later ones reuse it', async () => {
    let loads = 0;
    const schemas = loadOnce(async () => ({ load: ++loads }));
    const first = await Promise.all([schemas(), schemas(), schemas()]);
    expect(first).toEqual([{ load: 1 }, { load: 1 }, { load: 1 }]);
    expect(await schemas()).toEqual({ load: 1 });
    expect(loads).toBe(1);
  });

  test('a failed load fails its requests, and the next request loads it again', async () => {
    let loads = 0;
    const schemas = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk unreadable');
      return { load: loads };
    });
    await expect(Promise.all([schemas(), schemas()])).rejects.toThrow('chunk unreadable');
    expect(await schemas()).toEqual({ load: 2 });
    expect(await schemas()).toEqual({ load: 2 });
    expect(loads).toBe(2);
  });
});

describe("a module's route loaded by its first call", () => {
  test('loads nothing until called, then calls the export with the arguments, once loaded for all', async () => {
    let loads = 0;
    const routes = loadOnce(async () => {
      loads += 1;
      return { greet: async (name: string, times: number) => `${name} ×${times}` };
    });
    const greet = exportOnFirstUse(routes, 'greet');
    expect(loads).toBe(0);
    expect(await Promise.all([greet('page', 1), greet('ack', 2)])).toEqual(['page ×1', 'ack ×2']);
    expect(loads).toBe(1);
  });
});
