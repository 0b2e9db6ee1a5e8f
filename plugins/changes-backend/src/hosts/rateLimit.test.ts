import { retryAfterMs, retryRateLimited } from './rateLimit';

describe('retryRateLimited', () => {
  const limited = new Error('rate limited');

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const call = jest.fn().mockRejectedValue(limited);
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);

    await expect(
      retryRateLimited(call, () => 30_000, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('gives up after its retries, with the last error', async () => {
    const call = jest.fn().mockRejectedValue(limited);
    await expect(
      retryRateLimited(call, () => 0, { rateLimitRetries: 2 }),
    ).rejects.toBe(limited);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    const later = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(later)).toBeGreaterThan(8_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
