import { spawnProcess } from './spawnProcess';

describe('spawnProcess', () => {
  it('streams lines and returns the exit code, without a shell', async () => {
    const lines: string[] = [];
    const code = await spawnProcess({
      command: '/bin/echo',
      args: ['a; rm -rf /tmp/nothing', '$(id)'],
      signal: new AbortController().signal,
      onLine: l => lines.push(l),
    });
    expect(code).toBe(0);
    expect(lines).toEqual(['a; rm -rf /tmp/nothing $(id)']);
  });

  it('kills the process group when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const promise = spawnProcess({
      command: '/bin/sh',
      args: ['-c', 'sleep 30 & sleep 30; echo never'],
      signal: controller.signal,
      onLine: () => {},
      killGraceMs: 200,
    });
    setTimeout(() => controller.abort(new Error('timed out')), 200);
    await expect(promise).rejects.toThrow('timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
