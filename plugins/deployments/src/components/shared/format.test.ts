import { commits, shortSha, timeAgo } from './format';

describe('format', () => {
  it('shortens SHAs, counts commits and says how long ago', () => {
    expect(shortSha('1f0e3c9a7b2d4e6f8a0b')).toBe('1f0e3c9');
    expect(commits(1)).toBe('1 commit');
    expect(commits(3)).toBe('3 commits');
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(timeAgo('2026-03-10T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2026-03-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(timeAgo('2026-03-09T12:00:00Z', now)).toBe('1 day ago');
  });
});
