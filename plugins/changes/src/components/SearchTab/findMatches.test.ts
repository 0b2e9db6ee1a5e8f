import { findMatches } from './findMatches';

describe('findMatches', () => {
  it('finds every occurrence of a fixed string', () => {
    expect(findMatches('a.b a.b', 'a.b', {})).toEqual([
      [0, 3],
      [4, 7],
    ]);
    expect(findMatches('axb', 'a.b', {})).toEqual([]);
  });

  it('ignores case when asked', () => {
    expect(findMatches('Log4J log4j', 'log4j', { ignoreCase: true })).toEqual([
      [0, 5],
      [6, 11],
    ]);
  });

  it('matches regular expressions and skips empty matches', () => {
    expect(
      findMatches('image: nginx:1.25', 'nginx:[0-9.]+', { regex: true }),
    ).toEqual([[7, 17]]);
    expect(findMatches('abc', 'x*', { regex: true })).toEqual([]);
  });

  it('gives no highlight for a pattern JavaScript cannot read', () => {
    expect(findMatches('a(b', '(', { regex: true })).toEqual([]);
  });
});
