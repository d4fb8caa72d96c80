import { checkHandlers } from './job-handlers';

describe('job catalogue check', () => {
  const catalogue = ['a.one', 'a.two'];

  it('passes when every job has exactly one handler', () => {
    expect(checkHandlers(catalogue, [{ job: 'a.one', owner: 'X.one' }, { job: 'a.two', owner: 'X.two' }])).toEqual([]);
  });

  it('names a job with no handler, one with two, and a handler for an unknown job', () => {
    expect(checkHandlers(catalogue, [
      { job: 'a.one', owner: 'X.one' }, { job: 'a.one', owner: 'Y.one' }, { job: 'b.three', owner: 'Z.three' },
    ])).toEqual([
      'job a.one has 2 handlers: X.one, Y.one',
      'job a.two has no handler',
      'Z.three handles b.three, which is not in the job catalogue',
    ]);
  });
});
