import { Worker } from 'worker_threads';

/** One regex replacement over one file's text. */
export interface RegexJob {
  pattern: string;
  /** Flags including `g`. */
  flags: string;
  replacement: string;
  text: string;
}

/** The replaced text (undefined when nothing matched), or why there is none. */
export type RegexOutcome =
  | { kind: 'done'; text?: string }
  | { kind: 'timeout' }
  | { kind: 'failed'; message: string };

/** The job states the worker writes into shared memory. */
const RUNNING = 1;
const DONE = 2;
/** How long a new worker may take to start a job before it is given up on. */
const START_LIMIT_MS = 60_000;

// Plain JavaScript evaluated by the worker, so it runs the same from
// TypeScript sources (tests, `start`) and from the built package. Before a
// job runs, the worker writes its id and start time into shared memory, and
// marks it done after: the backend's time limit then counts the regex's own
// time, not a worker that was slow to start on a loaded machine.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const state = new Int32Array(workerData, 0, 2);
const startedAt = new Float64Array(workerData, 8, 1);
parentPort.on('message', job => {
  startedAt[0] = Date.now();
  Atomics.store(state, 0, job.id);
  Atomics.store(state, 1, ${RUNNING});
  let reply;
  try {
    const text = job.text.replace(new RegExp(job.pattern, job.flags), job.replacement);
    reply = { id: job.id, text: text === job.text ? undefined : text };
  } catch (e) {
    reply = { id: job.id, error: String((e && e.message) || e) };
  }
  Atomics.store(state, 1, ${DONE});
  parentPort.postMessage(reply);
});
`;

/** Heap of the worker: a runaway `$&` replacement fails there, not in the backend. */
const WORKER_HEAP_MB = 512;

type WorkerReply = { id: number; text?: string; error?: string };

/**
 * Runs regex replacements in a worker thread, one at a time, and terminates
 * the worker when one takes longer than its time limit (catastrophic
 * backtracking cannot be interrupted any other way). The worker is reused
 * across files and recipes and replaced after a termination; it does not
 * keep the process alive.
 */
export class RegexWorker {
  private worker?: Worker;
  /** Shared with the worker: job id and state (Int32 × 2), start time (Float64). */
  private shared = new SharedArrayBuffer(16);
  private queue: Promise<unknown> = Promise.resolve();
  private lastId = 0;
  private current?: {
    id: number;
    settle(outcome: RegexOutcome | Error): void;
  };

  /** Queues a job; its time limit starts when the worker takes it. */
  replace(
    job: RegexJob,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<RegexOutcome> {
    const run = this.queue.then(() => this.run(job, timeoutMs, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker; the next job starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private run(
    job: RegexJob,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<RegexOutcome> {
    signal?.throwIfAborted();
    const worker = this.ensureWorker();
    const id = ++this.lastId;
    const queuedAt = Date.now();
    return new Promise<RegexOutcome>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      // Fires at the limit as the main thread sees it, then asks the worker's
      // clock: a job that has not started, or started late, gets its time.
      const check = () => {
        const state = new Int32Array(this.shared, 0, 2);
        const mine = Atomics.load(state, 0) === id;
        const status = mine ? Atomics.load(state, 1) : 0;
        if (status === DONE) {
          timer = setTimeout(check, 50); // its answer is on the way
          return;
        }
        const now = Date.now();
        if (status === RUNNING) {
          const ran = now - new Float64Array(this.shared, 8, 1)[0];
          if (ran >= timeoutMs) {
            this.finish(id, { kind: 'timeout' }, true);
          } else {
            timer = setTimeout(check, timeoutMs - ran);
          }
        } else if (now - queuedAt >= START_LIMIT_MS) {
          this.finish(
            id,
            { kind: 'failed', message: 'the regex worker did not start' },
            true,
          );
        } else {
          timer = setTimeout(check, Math.min(timeoutMs, 250));
        }
      };
      timer = setTimeout(check, timeoutMs);
      const onAbort = () => {
        const reason: unknown = signal?.reason;
        this.finish(
          id,
          reason instanceof Error ? reason : new Error('aborted'),
          true,
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.current = {
        id,
        settle: outcome => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      worker.postMessage({ id, ...job });
    });
  }

  /** Settles job `id` if it is still the one running; `stop` ends the worker. */
  private finish(id: number, outcome: RegexOutcome | Error, stop: boolean) {
    const current = this.current;
    if (current?.id !== id) return;
    this.current = undefined;
    if (stop) this.discard();
    current.settle(outcome);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // a new worker gets its own memory: a terminated one may still write
    this.shared = new SharedArrayBuffer(16);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: this.shared,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const running = () =>
      this.worker === worker ? this.current?.id : undefined;
    worker.on('message', (reply: WorkerReply) =>
      this.finish(
        reply.id,
        reply.error === undefined
          ? { kind: 'done', text: reply.text }
          : { kind: 'failed', message: reply.error },
        false,
      ),
    );
    // A worker that fails fails its job; the next job starts a new worker.
    worker.on('error', (e: Error) => {
      const id = running();
      if (id !== undefined)
        this.finish(id, { kind: 'failed', message: e.message }, true);
      else if (this.worker === worker) this.discard();
    });
    worker.on('exit', () => {
      const id = running();
      if (id !== undefined)
        this.finish(
          id,
          { kind: 'failed', message: 'the regex worker stopped' },
          true,
        );
      else if (this.worker === worker) this.worker = undefined;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private discard(): void {
    const worker = this.worker;
    this.worker = undefined;
    worker?.terminate().catch(() => undefined);
  }
}

/** The worker every recipe in this process shares. */
export const sharedRegexWorker = new RegexWorker();
