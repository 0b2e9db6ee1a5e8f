import { nextCronOccurrence, nextCronRunAt } from './cron';

describe('runbook schedules', () => {
  const from = new Date('2026-11-21T22:10:30Z'); // a Saturday

  it('find the next nightly, weekly and stepped run in UTC', () => {
    expect(nextCronRunAt('0 2 * * *', from)).toBe('2026-11-22T02:00:00.000Z');
    expect(nextCronRunAt('30 3 * * 1', from)).toBe('2026-11-23T03:30:00.000Z');
    expect(nextCronRunAt('*/15 * * * *', from)).toBe(
      '2026-11-21T22:15:00.000Z',
    );
    expect(nextCronRunAt('0 0 1 1-3 *', from)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('read day names and the either-day rule as cron does', () => {
    expect(nextCronRunAt('0 9 * * mon-fri', from)).toBe(
      '2026-11-23T09:00:00.000Z',
    );
    // day 1 of the month or a Sunday, whichever comes first
    expect(nextCronRunAt('0 6 1 * sun', from)).toBe('2026-11-22T06:00:00.000Z');
  });

  it('never answer the same instant twice: the next run is after `from`', () => {
    const at = new Date('2026-11-22T02:00:00.000Z');
    expect(nextCronRunAt('0 2 * * *', at)).toBe('2026-11-23T02:00:00.000Z');
  });

  it('name the expression it cannot read', () => {
    expect(() => nextCronOccurrence('every night', from)).toThrow(
      /^Invalid cron expression 'every night'/,
    );
    expect(() => nextCronOccurrence('61 * * * *', from)).toThrow(
      /'61 \* \* \* \*': Field value \(61\) is out of range$/,
    );
    // 31 February never comes
    expect(nextCronRunAt('0 0 31 2 *', from)).toBeUndefined();
  });
});
