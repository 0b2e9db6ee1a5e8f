import { nextCronRun } from './nextCronRun';

describe('nextCronRun', () => {
  const from = new Date('2026-11-21T22:10:30Z'); // a Saturday

  it('finds the next nightly, weekly and stepped run in UTC', () => {
    expect(nextCronRun('0 2 * * *', from)?.toISOString()).toBe(
      '2026-11-22T02:00:00.000Z',
    );
    expect(nextCronRun('30 3 * * 1', from)?.toISOString()).toBe(
      '2026-11-23T03:30:00.000Z',
    );
    expect(nextCronRun('*/15 * * * *', from)?.toISOString()).toBe(
      '2026-11-21T22:15:00.000Z',
    );
    expect(nextCronRun('0 0 1 1-3 *', from)?.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('returns undefined for expressions it cannot read', () => {
    expect(nextCronRun('every night', from)).toBeUndefined();
    expect(nextCronRun('61 * * * *', from)).toBeUndefined();
    expect(nextCronRun('0 0 31 2 *', from)).toBeUndefined();
  });
});
