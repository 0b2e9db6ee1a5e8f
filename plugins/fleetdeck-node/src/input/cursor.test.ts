import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor';

const runsCursor = z.tuple([z.number().int().nonnegative(), z.string().uuid()]);
const id = '0b6f1b5e-5b1a-4c55-9a53-0c6a1f5d2a11';

describe('page cursors', () => {
  it('give back what they were made from', () => {
    const cursor = encodeCursor([1764620000000, id]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(runsCursor, cursor)).toEqual([1764620000000, id]);
  });

  it.each([
    ['not base64url', 'abc$%'],
    ['not JSON', Buffer.from('1764620000000|x').toString('base64url')],
    ['the wrong shape', encodeCursor(['yesterday', id])],
    ['truncated', encodeCursor([1764620000000, id]).slice(0, 20)],
    ['empty', ''],
  ])('answer a cursor that is %s with an InputError', (_, cursor) => {
    expect(() => decodeCursor(runsCursor, cursor)).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringMatching(/^Invalid cursor/),
      }),
    );
  });
});
