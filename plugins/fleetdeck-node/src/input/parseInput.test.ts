import { z } from 'zod';
import { parseInput } from './parseInput';

const query = z.object({
  entityRef: z.string().min(1),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

describe('parseInput', () => {
  it('returns the parsed value with defaults and coercions', () => {
    expect(
      parseInput(query, { entityRef: 'component:a', limit: '20' }),
    ).toEqual({ entityRef: 'component:a', limit: 20 });
    expect(parseInput(query, { entityRef: 'component:a' }).limit).toBe(50);
  });

  it('throws an InputError naming each offending field', () => {
    let error: Error | undefined;
    try {
      parseInput(query, { limit: '9999' });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe('InputError');
    expect(error?.message).toMatch(/→ at entityRef/);
    expect(error?.message).toMatch(/→ at limit/);
  });
});
