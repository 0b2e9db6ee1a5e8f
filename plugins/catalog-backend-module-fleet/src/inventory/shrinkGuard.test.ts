import { checkShrink } from './shrinkGuard';

const set = (...names: string[]) => new Set(names);
const ten = set(...Array.from({ length: 10 }, (_, i) => `c${i}`));

describe('checkShrink', () => {
  it('allows removing up to the limit', () => {
    const next = set(...[...ten].slice(2));
    expect(checkShrink(ten, next, 0.2)).toEqual({
      allowed: true,
      removed: ['c0', 'c1'],
    });
  });

  it('refuses removing more than the limit and says how many', () => {
    const verdict = checkShrink(ten, set(...[...ten].slice(3)), 0.2);
    expect(verdict.allowed).toBe(false);
    expect(!verdict.allowed && verdict.reason).toContain(
      'remove 3 of 10 clusters (30 %, limit 20 %)',
    );
  });

  it('counts renamed clusters as removed, not the net size', () => {
    const renamed = set(...[...ten].map((n, i) => (i < 5 ? `${n}-new` : n)));
    expect(checkShrink(ten, renamed, 0.2).allowed).toBe(false);
  });

  it('refuses an empty inventory when clusters exist, allows a first load', () => {
    expect(checkShrink(ten, set(), 0.2).allowed).toBe(false);
    expect(checkShrink(set(), set('a'), 0.2).allowed).toBe(true);
  });
});
