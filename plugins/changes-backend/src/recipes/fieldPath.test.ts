import { parseFieldPath } from './fieldPath';

describe('parseFieldPath', () => {
  it.each([
    ['image.tag', ['image', 'tag']],
    ['dependencies["lodash.merge"]', ['dependencies', 'lodash.merge']],
    ['["a.b"].c', ['a.b', 'c']],
    ['a.["b\\"c"].0', ['a', 'b"c', '0']],
    ['@scope/pkg', ['@scope/pkg']],
  ])('reads %s', (path, keys) => {
    expect(parseFieldPath(path)).toEqual(keys);
  });

  it.each([
    ['a..b', 'has an empty key'],
    ['a.', 'ends with a dot'],
    ['a["b', 'has an unclosed ["...'],
    ['a["b"]c', 'has a stray "c"'],
    ['a]', 'has a stray "]"'],
    ['a["\\x"]', 'has a badly escaped key'],
  ])('refuses %s', (path, why) => {
    expect(() => parseFieldPath(path)).toThrow(
      `the field path "${path}" ${why}`,
    );
  });
});
