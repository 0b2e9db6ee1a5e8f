import {
  compareVersions,
  formatMaintenanceWindow,
  isOnVersionLine,
} from './helpers';

describe('helpers', () => {
  it('orders versions numerically', () => {
    expect(['3.10.0', '3.5.1', '3.9'].sort(compareVersions)).toEqual([
      '3.5.1',
      '3.9',
      '3.10.0',
    ]);
  });
  it('knows version lines', () => {
    expect(isOnVersionLine('3.5.2', '3.5')).toBe(true);
    expect(isOnVersionLine('3.50.0', '3.5')).toBe(false);
  });
  it('formats a window that crosses midnight', () => {
    expect(
      formatMaintenanceWindow({
        days: ['sat', 'sun'],
        start: '23:00',
        durationMinutes: 180,
        timezone: 'UTC',
      }),
    ).toBe('Sat, Sun 23:00–02:00 (UTC)');
  });
});
