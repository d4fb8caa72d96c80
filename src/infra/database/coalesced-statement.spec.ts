import { CoalescedStatement } from './coalesced-statement';

describe('CoalescedStatement', () => {
  it('answers concurrent callers from one statement, each with its own result', async () => {
    const statements: number[][] = [];
    const doubled = new CoalescedStatement(async (xs: number[]) => {
      statements.push(xs);
      return xs.map((x) => x * 2);
    }, String);
    expect(await Promise.all([1, 2, 3].map((x) => doubled.call(x)))).toEqual([2, 4, 6]);
    expect(statements).toEqual([[1, 2, 3]]);
  });

  it('holds calls made while a statement runs for the next one, and never puts one key in a statement twice', async () => {
    const statements: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => { release = r; });
    const echo = new CoalescedStatement(async (xs: { id: string }[]) => {
      statements.push(xs.map((x) => x.id));
      if (statements.length === 1) await first;
      return xs.map((x) => x.id);
    }, (x) => x.id);
    const a = echo.call({ id: 'a' });
    await new Promise((r) => setImmediate(r));
    const later = ['b', 'a', 'c'].map((id) => echo.call({ id }));
    await new Promise((r) => setImmediate(r));
    expect(statements).toEqual([['a']]);
    release();
    expect(await Promise.all([a, ...later])).toEqual(['a', 'b', 'a', 'c']);
    expect(statements).toEqual([['a'], ['b', 'a', 'c']]);

    const twice = ['x', 'x'].map((id) => echo.call({ id }));
    await Promise.all(twice);
    expect(statements.slice(2)).toEqual([['x'], ['x']]);
  });

  it('gives every caller of a failed statement its error, and carries on afterwards', async () => {
    let fail = true;
    const s = new CoalescedStatement(async (xs: number[]) => {
      if (fail) throw new Error('connection lost');
      return xs;
    }, String);
    const results = await Promise.allSettled([1, 2].map((x) => s.call(x)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await s.call(3)).toBe(3);
  });
});
