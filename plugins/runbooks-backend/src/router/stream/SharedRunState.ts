import { LoggerService } from '@backstage/backend-plugin-api';
import { RunLogLine, RunSummary } from '@fleetdeck/plugin-runbooks-common';
import { RunBroker, RunChange } from '../../broker/RunBroker';
import {
  RunFeed,
  RunStreamListener,
  RunStreamTimings,
  TargetState,
} from './types';

/** What the next shared read fetches. */
interface Dirty {
  logs: boolean;
  targets: boolean;
  run: boolean;
}

const ALL: Dirty = { logs: true, targets: true, run: true };
const NONE: Dirty = { logs: false, targets: false, run: false };

/** One client of the run, and how far its log got. */
interface Member {
  listener: RunStreamListener;
  /** The newest log line id it was sent (or passed by its target filter). */
  lastLog: number;
  /** Set while its backlog is read: live lines wait here. */
  buffered?: RunLogLine[];
}

const ended = (run?: RunSummary) =>
  !!run && !['running', 'awaiting_approval'].includes(run.status);

/**
 * The live state of one run on this replica, shared by all its clients.
 * Change events from the broker mark what to read; a burst of them makes
 * one read of the new log lines, the targets changed and the run's summary,
 * whatever the number of clients. A slow poll covers events missed while
 * the run has clients. When the run ends, the last lines are read and every
 * client is told.
 */
export class SharedRunState {
  private readonly members = new Set<Member>();
  private readonly targets = new Map<
    string,
    { state: TargetState; key: string }
  >();
  private run?: RunSummary;
  private logCursor: number;
  private targetCursor?: number;
  private dirty: Dirty = { ...ALL };
  private timer?: NodeJS.Timeout;
  private reading = false;
  private finished = false;
  private readonly poll: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  /** The first read: what joining clients wait for. */
  private readonly ready: Promise<void>;

  constructor(
    private readonly runId: string,
    private readonly deps: {
      feed: RunFeed;
      broker: RunBroker;
      logger?: LoggerService;
      timings: RunStreamTimings;
      /** Called once, when the state has no clients left or the run ended. */
      onClose: () => void;
    },
    /** The log cursor of the first client: the shared read starts there. */
    firstAfter: number,
  ) {
    this.logCursor = firstAfter;
    this.unsubscribe = deps.broker.subscribe(runId, change =>
      this.changed(change),
    );
    this.poll = setInterval(() => this.mark(ALL), deps.timings.fallbackPollMs);
    this.poll.unref?.();
    this.ready = this.read();
  }

  /** Whether the state stopped (no clients, or the run ended). */
  get closed(): boolean {
    return this.finished;
  }

  /**
   * Adds a client: it gets the targets and the run as they are, then its
   * log from `after` (its own backlog read once when the shared read is
   * past it), then every change. Returns the function that removes it.
   */
  join(listener: RunStreamListener, after: number): () => void {
    const member: Member = { listener, lastLog: after, buffered: [] };
    const startCursor = this.logCursor;
    this.members.add(member);
    this.catchUp(member, startCursor).catch(e => {
      this.deps.logger?.warn(
        `Live view of run ${this.runId} failed for a client: ${e}`,
      );
      this.leave(member);
      listener.end();
    });
    return () => this.leave(member);
  }

  private async catchUp(member: Member, startCursor: number) {
    await this.ready;
    let cursor = member.lastLog;
    const { pageSize } = this.deps.timings;
    while (cursor < startCursor && this.members.has(member)) {
      const page = await this.deps.feed.logsSince({
        runId: this.runId,
        targetId: member.listener.targetId,
        after: cursor,
        limit: pageSize,
      });
      this.deliver(member, page.items);
      cursor = page.nextCursor ?? cursor;
      if (page.items.length < pageSize) break;
    }
    if (!this.members.has(member)) return;
    // one tick: the state as it is now, then the lines that came meanwhile
    for (const { state } of this.targets.values())
      member.listener.target(state);
    if (this.run) member.listener.run(this.run);
    const buffered = member.buffered ?? [];
    member.buffered = undefined;
    this.deliver(member, buffered);
    if (this.finished) member.listener.end();
  }

  private leave(member: Member) {
    this.members.delete(member);
    if (this.members.size === 0) this.close();
  }

  /** Sends a client the lines past its cursor that pass its filter. */
  private deliver(member: Member, lines: RunLogLine[]) {
    const { targetId } = member.listener;
    const fresh = lines.filter(
      l => l.id > member.lastLog && (!targetId || l.targetId === targetId),
    );
    if (lines.length) {
      member.lastLog = Math.max(member.lastLog, lines[lines.length - 1].id);
    }
    if (fresh.length) member.listener.logs(fresh);
  }

  private changed(change: RunChange) {
    if (change.type === 'logs') this.mark({ ...NONE, logs: true });
    else this.mark({ ...NONE, targets: true, run: true });
  }

  /** Notes what changed; one read follows a burst of changes. */
  private mark(flags: Dirty) {
    this.dirty = {
      logs: this.dirty.logs || flags.logs,
      targets: this.dirty.targets || flags.targets,
      run: this.dirty.run || flags.run,
    };
    if (this.timer || this.reading || this.finished) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, this.deps.timings.coalesceMs);
    this.timer.unref?.();
  }

  /** One shared read of what is dirty; another follows if changes came meanwhile. */
  private async read(): Promise<void> {
    this.reading = true;
    const dirty = this.dirty;
    this.dirty = { ...NONE };
    try {
      if (dirty.logs) await this.readLogs();
      if (dirty.targets) await this.readTargets();
      if (dirty.run) await this.readRun();
      if (ended(this.run) && !this.finished) {
        // what was written between the reads above and the run's end
        await this.readLogs();
        await this.readTargets();
        this.finish();
      }
    } catch (e) {
      // the next event or poll reads again
      this.dirty = { ...ALL };
      this.deps.logger?.warn(`Live view of run ${this.runId}: ${e}`);
    } finally {
      this.reading = false;
    }
    if (
      !this.finished &&
      (this.dirty.logs || this.dirty.targets || this.dirty.run)
    ) {
      this.mark(NONE);
    }
  }

  private async readLogs() {
    const { pageSize } = this.deps.timings;
    for (;;) {
      const page = await this.deps.feed.logsSince({
        runId: this.runId,
        after: this.logCursor,
        limit: pageSize,
      });
      if (page.items.length) {
        this.logCursor = page.items[page.items.length - 1].id;
        for (const member of this.members) {
          if (member.buffered) member.buffered.push(...page.items);
          else this.deliver(member, page.items);
        }
      }
      if (page.items.length < pageSize || this.members.size === 0) return;
    }
  }

  private async readTargets() {
    const { items, cursor } = await this.deps.feed.targetChangesSince({
      runId: this.runId,
      since: this.targetCursor,
    });
    this.targetCursor = cursor;
    for (const state of items) {
      const key = JSON.stringify(state);
      if (this.targets.get(state.id)?.key === key) continue;
      this.targets.set(state.id, { state, key });
      for (const member of this.members) {
        if (!member.buffered) member.listener.target(state);
      }
    }
  }

  private async readRun() {
    const next = await this.deps.feed.getRunSummary(this.runId);
    const before = this.run;
    this.run = next;
    if (
      before &&
      before.status === next.status &&
      before.finishedAt === next.finishedAt &&
      JSON.stringify(before.counts) === JSON.stringify(next.counts)
    ) {
      return;
    }
    for (const member of this.members) {
      if (!member.buffered) member.listener.run(next);
    }
  }

  /** The run ended: every live client is told; joining ones when they catch up. */
  private finish() {
    for (const member of this.members) {
      if (!member.buffered) member.listener.end();
    }
    this.close();
  }

  private close() {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe();
    this.deps.onClose();
  }
}
