import { RunbookStepLogger } from '@fleetdeck/plugin-runbooks-node';
import { AapClient, AapHttpError, AapResponse } from './AapClient';
import {
  AapJob,
  AapJobEvent,
  eventPageSchema,
  FINISHED_STATUSES,
  jobSchema,
  parseAnswer,
} from './aapApi';
import { sleep } from './sleep';

/** How long a cancelled step waits for AAP to confirm the cancel. */
export const CANCEL_WAIT_MS = 10_000;
/** How long a finished job's events are awaited when AAP is still saving them. */
const EVENT_WAIT_MS = 30_000;
const EVENT_PAGE_SIZE = 200;

// CSI and OSC sequences, as Ansible's colours and AWX's stdout hold them
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/** What following a job needs. */
export interface FollowJobOptions {
  client: AapClient;
  jobId: number;
  logger: RunbookStepLogger;
  signal: AbortSignal;
  pollIntervalMs: number;
}

/**
 * Writes a job's event output to the step log in counter order. Counters
 * are contiguous, but AWX may save event N+1 before event N: events past a
 * gap wait until it fills, or until the job's events are all saved.
 */
class EventLog {
  /** The highest counter written, all below it written too. */
  last = 0;
  private readonly waiting = new Map<number, AapJobEvent>();

  constructor(private readonly logger: RunbookStepLogger) {}

  add(events: AapJobEvent[]) {
    for (const e of events)
      if (e.counter > this.last) this.waiting.set(e.counter, e);
    while (this.waiting.has(this.last + 1)) this.write(this.last + 1);
  }

  /** Writes the events still waiting for a gap that will not fill. */
  flush() {
    for (const counter of [...this.waiting.keys()].sort((a, b) => a - b)) {
      this.write(counter);
    }
  }

  private write(counter: number) {
    const event = this.waiting.get(counter)!;
    this.waiting.delete(counter);
    this.last = Math.max(this.last, counter);
    const log = event.failed ? this.logger.error : this.logger.info;
    for (const line of (event.stdout ?? '').replace(ANSI, '').split(/\r?\n/)) {
      if (line.trim()) log.call(this.logger, line);
    }
  }
}

async function getJob(client: AapClient, jobId: number, signal: AbortSignal) {
  const { data } = await client.get(`jobs/${jobId}/`, signal);
  return parseAnswer(jobSchema, data, `GET jobs/${jobId}/`);
}

/** Reads the events after the last written, following `next` pages. */
async function readEvents(o: FollowJobOptions, log: EventLog) {
  const query = new URLSearchParams({
    order_by: 'counter',
    counter__gt: String(log.last),
    page_size: String(EVENT_PAGE_SIZE),
  });
  let path: string | undefined = `jobs/${o.jobId}/job_events/?${query}`;
  while (path) {
    const answer: AapResponse = await o.client.get(path, o.signal);
    const page = parseAnswer(eventPageSchema, answer.data, 'job events');
    log.add(page.results);
    path = page.next ?? undefined;
  }
}

/**
 * How long to wait before the next poll of a job followed for `elapsedMs`:
 * a tenth of that, at least a twentieth of `pollIntervalMs` and at most all
 * of it. A job is so seen finished at most about a tenth of its run time
 * late (plus one request): a 1 s job within about 0.1 s rather than up to a
 * whole interval. Once followed for 10 `pollIntervalMs`, it is polled every
 * `pollIntervalMs` as before; the faster polls before that, which read only
 * its status, cost some 15 to 20 more requests per job however long it runs.
 */
export function pollDelay(elapsedMs: number, pollIntervalMs: number): number {
  return Math.min(
    pollIntervalMs,
    Math.max(pollIntervalMs / 20, elapsedMs / 10),
  );
}

/**
 * Polls a job until it has finished and its output is all in the step log;
 * returns the finished job. Polls come at {@link pollDelay}; its events are
 * read with a poll once `pollIntervalMs` has passed since they last were
 * (the live log), and once it has finished. When `signal` aborts, cancels
 * the job in AAP, waits for it to stop (at most {@link CANCEL_WAIT_MS}) and
 * throws the signal's reason.
 */
export async function followJob(o: FollowJobOptions): Promise<AapJob> {
  const log = new EventLog(o.logger);
  const startedAt = Date.now();
  let eventsReadAt = startedAt;
  let finishedAt: number | undefined;
  try {
    for (;;) {
      await sleep(
        pollDelay(Date.now() - startedAt, o.pollIntervalMs),
        o.signal,
      );
      const readNow = Date.now() - eventsReadAt >= o.pollIntervalMs;
      if (readNow) eventsReadAt = Date.now();
      const [job] = await Promise.all([
        getJob(o.client, o.jobId, o.signal),
        readNow ? readEvents(o, log) : undefined,
      ]);
      if (FINISHED_STATUSES.includes(job.status)) {
        finishedAt ??= Date.now();
        const saved = job.event_processing_finished !== false;
        if (saved || Date.now() - finishedAt > EVENT_WAIT_MS) {
          // the events not read yet: all of them once AAP has saved them
          await readEvents(o, log);
          log.flush();
          if (!saved)
            o.logger.warn(
              `AAP is still saving the output of job ${o.jobId}: it may be incomplete here`,
            );
          return job;
        }
      }
    }
  } catch (e) {
    if (!o.signal.aborted) throw e;
    await cancelJob(o);
    throw o.signal.reason;
  }
}

/** Asks AAP to cancel the job and waits, bounded, for it to stop. */
async function cancelJob(o: FollowJobOptions) {
  const signal = AbortSignal.timeout(CANCEL_WAIT_MS);
  try {
    o.logger.warn(`Cancelling AAP job ${o.jobId}`);
    await o.client.post(`jobs/${o.jobId}/cancel/`, { signal }).catch(e => {
      // 405: the job can no longer be cancelled, it has finished
      if (!(e instanceof AapHttpError && e.status === 405)) throw e;
    });
    for (;;) {
      const job = await getJob(o.client, o.jobId, signal);
      if (FINISHED_STATUSES.includes(job.status)) {
        o.logger.warn(`AAP job ${o.jobId} is ${job.status}`);
        return;
      }
      await sleep(Math.min(o.pollIntervalMs, 500), signal);
    }
  } catch (e) {
    o.logger.warn(
      `Could not confirm that AAP job ${o.jobId} stopped: ${
        (e as Error).message
      }`,
    );
  }
}
