import { plural, splitList, timeAgo } from './format';

describe('format', () => {
  it('counts with the right noun', () => {
    expect(plural(1, 'repository', 'repositories')).toBe('1 repository');
    expect(plural(3, 'file')).toBe('3 files');
  });

  it('says how long ago something happened', () => {
    const now = Date.parse('2025-06-10T12:00:00Z');
    expect(timeAgo('2025-06-10T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2025-06-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2025-06-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(timeAgo('2025-06-08T12:00:00Z', now)).toBe('2 days ago');
    expect(timeAgo('2023-06-01T12:00:00Z', now)).toBe('2 years ago');
  });

  it('splits comma and newline separated lists', () => {
    expect(splitList(' a, b\nc ,, ')).toEqual(['a', 'b', 'c']);
  });
});
