import { LoggerService } from '@backstage/backend-plugin-api';
import { Redactor, StreamRedactor } from '@fleetdeck/fleetdeck-node';
import { RunStore } from '../database/RunStore';
import { NewLogLine } from '../database/types';
import { RunBroker } from '../broker/RunBroker';

/** Buffered lines past which the buffer asks to be stored at once. */
export const FULL_BUFFER = 200;

/** A log line as buffered until it is stored. */
type BufferedLine = NewLogLine & { taken?: boolean };

/**
 * The log stream of a target this worker runs: its lines pass through one
 * stream redactor (made at the first line, with the run's secrets), which
 * may hold the last ones back until the next show no secret continues in
 * them; `held` keeps those lines' level and time, in order.
 */
export interface TargetStream {
  redactor?: StreamRedactor;
  /** What `redactor` was made from: a step may add secrets (`ctx.redact`). */
  source?: Redactor;
  held: BufferedLine[];
}

/**
 * The log lines a worker has not stored yet. A target's lines ride along
 * with its next write (`take`); the rest are stored in bulk (`flush`) when
 * the buffer is full or a quarter second passed. Every line is redacted
 * before it is buffered; a target's lines through its stream, so that a
 * secret split over lines is redacted too.
 */
export class LogBuffer {
  /** Lines not stored yet; those a target's write took are marked `taken`. */
  private lines: BufferedLine[] = [];
  private byTarget = new Map<string, BufferedLine[]>();
  /** The log streams of the targets this worker runs, by target id. */
  private readonly streams = new Map<string, TargetStream>();

  constructor(
    private readonly deps: {
      store: Pick<RunStore, 'appendLogs'>;
      logger: LoggerService;
      /** Told which runs have new lines stored. */
      broker?: RunBroker;
      /** Called when the buffer is full: it should be flushed soon. */
      onFull(): void;
    },
  ) {}

  /** Lines waiting to be stored. */
  get size(): number {
    return this.lines.length;
  }

  /** Opens a target's log stream (when it starts running here). */
  open(targetId: string): TargetStream {
    const stream: TargetStream = { held: [] };
    this.streams.set(targetId, stream);
    return stream;
  }

  /** Closes a target's stream, buffering what it held, unless a newer one replaced it. */
  close(targetId: string, stream: TargetStream) {
    if (this.streams.get(targetId) !== stream) return;
    this.releaseHeld(targetId);
    this.streams.delete(targetId);
  }

  /**
   * Buffers a line to store. A target's lines pass through its stream
   * redactor, so a secret split over lines is redacted too; a line it holds
   * back is buffered once the next lines (or the step's end) release it.
   */
  log(line: NewLogLine, redactor: Redactor) {
    // NUL first (PostgreSQL text cannot hold it; tools do print it): a NUL
    // inside a secret must not hide it from the redactor
    const text =
      typeof line.message === 'string' ? line.message : String(line.message);
    const stored: BufferedLine = {
      ...line,
      message:
        text.indexOf('\u0000') >= 0 ? text.split('\u0000').join('') : text,
      createdAt: Date.now(),
    };
    const stream =
      redactor.active && line.targetId
        ? this.streams.get(line.targetId)
        : undefined;
    if (!stream) {
      // no secrets, or a line after its target ended (an executor that
      // ignored its abort): redacted alone
      stored.message = redactor.redact(stored.message);
      this.buffer(stored);
      return;
    }
    if (stream.source !== redactor) {
      // secrets were added: what the old stream holds back is released
      // (redacted as before), the next lines pass through the new one
      if (stream.redactor) this.releaseHeld(line.targetId!);
      stream.redactor = redactor.stream();
      stream.source = redactor;
    }
    stream.held.push(stored);
    for (const message of stream.redactor!.push(stored.message)) {
      const released = stream.held.shift()!;
      released.message = message;
      this.buffer(released);
    }
  }

  /** Takes the buffered lines of one target, to commit with its next write. */
  take(targetId: string): NewLogLine[] {
    // a step's lines are complete at its end: nothing waits for the next step
    this.releaseHeld(targetId);
    const mine = this.byTarget.get(targetId) ?? [];
    this.byTarget.delete(targetId);
    for (const line of mine) line.taken = true;
    return mine;
  }

  /** Stores the lines no target's write took; a failure is logged, the lines dropped. */
  async flush() {
    const lines = this.lines.filter(l => !l.taken);
    this.lines = [];
    this.byTarget.clear();
    if (lines.length === 0) return;
    try {
      await this.deps.store.appendLogs(lines);
    } catch (e) {
      this.deps.logger.warn(`Could not store ${lines.length} log lines: ${e}`);
      return;
    }
    for (const runId of new Set(lines.map(l => l.runId))) {
      this.deps.broker?.publish({ type: 'logs', runId });
    }
  }

  /** Buffers the lines a target's stream still holds back (its step ended). */
  private releaseHeld(targetId: string) {
    const stream = this.streams.get(targetId);
    if (!stream?.redactor) return;
    for (const message of stream.redactor.flush()) {
      const released = stream.held.shift()!;
      released.message = message;
      this.buffer(released);
    }
  }

  private buffer(stored: BufferedLine) {
    this.lines.push(stored);
    if (stored.targetId) {
      const mine = this.byTarget.get(stored.targetId);
      if (mine) mine.push(stored);
      else this.byTarget.set(stored.targetId, [stored]);
    }
    if (this.lines.length >= FULL_BUFFER) this.deps.onFull();
  }
}
