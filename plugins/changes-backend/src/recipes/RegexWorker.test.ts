import { RegexWorker } from './RegexWorker';

const trivial = {
  pattern: 'node:18',
  flags: 'g',
  replacement: 'node:20',
  text: 'FROM node:18\n',
};

describe('RegexWorker', () => {
  it("counts the regex's own time: a worker slow to start does not time a quick job out", async () => {
    // a limit shorter than a worker thread takes to start (tens of ms):
    // measured from the request, every first job here would time out
    for (let i = 0; i < 10; i++) {
      const worker = new RegexWorker();
      try {
        await expect(worker.replace(trivial, 5)).resolves.toEqual({
          kind: 'done',
          text: 'FROM node:20\n',
        });
      } finally {
        await worker.close();
      }
    }
  });

  it('still stops a catastrophic pattern at the limit, then works on', async () => {
    const worker = new RegexWorker();
    try {
      const started = Date.now();
      await expect(
        worker.replace(
          {
            pattern: '^(a+)+$',
            flags: 'g',
            replacement: '',
            text: `${'a'.repeat(40)}!`,
          },
          200,
        ),
      ).resolves.toEqual({ kind: 'timeout' });
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(worker.replace(trivial, 1000)).resolves.toEqual({
        kind: 'done',
        text: 'FROM node:20\n',
      });
    } finally {
      await worker.close();
    }
  });
});
