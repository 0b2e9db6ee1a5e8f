import { LoggerService } from '@backstage/backend-plugin-api';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import { RunStatus } from '@fleetdeck/plugin-runbooks-common';
import { randomUUID } from 'crypto';
import { Listeners } from './Listeners';
import { ChangeOrigin, RunBroker, RunChange } from './RunBroker';
import {
  BrokerEnvelope,
  BrokerEvent,
  readEnvelope,
  RUN_BROKER_TOPIC,
} from './wire';

/** How often one run's `logs` change goes out at most: 4 times a second. */
const LOGS_INTERVAL_MS = 250;

/** The most events one events service event carries. */
const MAX_BATCH = 500;

/** Options of {@link DefaultRunBroker.create}. */
export interface DefaultRunBrokerOptions {
  logger: LoggerService;
  /**
   * Backstage's events service: other replicas hear this one's events
   * through it. Without it the broker reaches this replica only (tests,
   * benchmarks, a single process).
   */
  events?: EventsService;
  /** Names this replica in its subscription and in what it sends (default: random). */
  instanceId?: string;
  /** The shortest time between two `logs` changes of one run (default 250 ms). */
  logsIntervalMs?: number;
}

/** A run's `logs` change went out; until `timer` fires, more only mark `pending`. */
interface Cooling {
  timer: NodeJS.Timeout;
  pending: boolean;
}

/**
 * The {@link RunBroker} of a backend replica. Local listeners are called at
 * once; the events service carries every event to the other replicas on
 * topic `runbooks.runs`. Each replica subscribes under its own id (a
 * subscription id is a consumer group on the events bus: a shared one would
 * hand each event to one replica only) and skips what it sent itself. What
 * one replica sends in one moment travels as one event, in order.
 */
export class DefaultRunBroker implements RunBroker {
  /** Builds the broker and subscribes it to the other replicas' events. */
  static async create(
    options: DefaultRunBrokerOptions,
  ): Promise<DefaultRunBroker> {
    const broker = new DefaultRunBroker(options);
    await options.events?.subscribe({
      id: broker.subscriptionId,
      topics: [RUN_BROKER_TOPIC],
      onEvent: async params => broker.received(params),
    });
    return broker;
  }

  /** This replica's id, as its events carry it. */
  readonly instanceId: string;
  private readonly logger: LoggerService;
  private readonly events?: EventsService;
  private readonly logsIntervalMs: number;
  private readonly wakeListeners: Listeners<[]>;
  private readonly abortListeners: Listeners<[string]>;
  private readonly finishedListeners: Listeners<
    [string, RunStatus, ChangeOrigin]
  >;
  private readonly changeListeners: Listeners<[RunChange, ChangeOrigin]>;
  private readonly runListeners = new Map<
    string,
    Listeners<[RunChange, ChangeOrigin]>
  >();
  private readonly cooling = new Map<string, Cooling>();
  private outbox: BrokerEvent[] = [];
  private sending?: Promise<void>;
  private closed = false;

  private constructor(options: DefaultRunBrokerOptions) {
    this.logger = options.logger;
    this.events = options.events;
    this.instanceId = options.instanceId ?? randomUUID();
    this.logsIntervalMs = options.logsIntervalMs ?? LOGS_INTERVAL_MS;
    this.wakeListeners = new Listeners(this.logger, 'wake');
    this.abortListeners = new Listeners(this.logger, 'abort');
    this.finishedListeners = new Listeners(this.logger, 'run-finished');
    this.changeListeners = new Listeners(this.logger, 'run change');
  }

  /** The events service subscription of this replica (only letters, digits, `-`). */
  get subscriptionId(): string {
    return `broker-${this.instanceId.replace(/[^A-Za-z0-9-]/g, '-')}`;
  }

  wake(): void {
    this.emit({ kind: 'wake' });
  }

  abort(runId: string): void {
    this.emit({ kind: 'abort', runId });
  }

  publish(change: RunChange): void {
    if (change.type === 'logs') this.publishLogs(change.runId);
    else this.emit({ kind: 'change', change });
  }

  finished(runId: string, status: RunStatus): void {
    // the run's last lines are announced before its end
    this.flushLogs(runId);
    this.emit({ kind: 'finished', runId, status });
  }

  subscribe(
    runId: string,
    listener: (change: RunChange, origin: ChangeOrigin) => void,
  ): () => void {
    let listeners = this.runListeners.get(runId);
    if (!listeners) {
      listeners = new Listeners(this.logger, `run ${runId}`);
      this.runListeners.set(runId, listeners);
    }
    const remove = listeners.add(listener);
    const own = listeners;
    return () => {
      remove();
      if (own.size === 0 && this.runListeners.get(runId) === own) {
        this.runListeners.delete(runId);
      }
    };
  }

  onChange(
    listener: (change: RunChange, origin: ChangeOrigin) => void,
  ): () => void {
    return this.changeListeners.add(listener);
  }

  onWake(listener: () => void): () => void {
    return this.wakeListeners.add(listener);
  }

  onAbort(listener: (runId: string) => void): () => void {
    return this.abortListeners.add(listener);
  }

  onRunFinished(
    listener: (runId: string, status: RunStatus, origin: ChangeOrigin) => void,
  ): () => void {
    return this.finishedListeners.add(listener);
  }

  /**
   * Sends the `logs` changes still held back and stops sending; resolves
   * once what was sent reached the events service. Events of other
   * replicas are not heard any more.
   */
  async close(): Promise<void> {
    for (const runId of [...this.cooling.keys()]) this.flushLogs(runId);
    this.closed = true;
    while (this.sending) await this.sending;
  }

  /** A run's first `logs` change goes at once; the next ones at most every interval. */
  private publishLogs(runId: string) {
    const cooling = this.cooling.get(runId);
    if (cooling) {
      cooling.pending = true;
      return;
    }
    this.emit({ kind: 'change', change: { type: 'logs', runId } });
    const entry: Cooling = {
      pending: false,
      timer: setTimeout(() => {
        this.cooling.delete(runId);
        if (entry.pending) this.publishLogs(runId);
      }, this.logsIntervalMs),
    };
    entry.timer.unref?.();
    this.cooling.set(runId, entry);
  }

  /** Sends a run's held-back `logs` change now. */
  private flushLogs(runId: string) {
    const cooling = this.cooling.get(runId);
    if (!cooling) return;
    clearTimeout(cooling.timer);
    this.cooling.delete(runId);
    if (cooling.pending) {
      this.emit({ kind: 'change', change: { type: 'logs', runId } });
    }
  }

  private emit(event: BrokerEvent) {
    if (this.closed) return;
    this.deliver(event, 'local');
    this.send(event);
  }

  private deliver(event: BrokerEvent, origin: ChangeOrigin) {
    switch (event.kind) {
      case 'wake':
        this.wakeListeners.call();
        return;
      case 'abort':
        this.abortListeners.call(event.runId);
        return;
      case 'change':
        this.changed(event.change, origin);
        return;
      case 'finished':
        this.finishedListeners.call(event.runId, event.status, origin);
        this.changed(
          { type: 'run', runId: event.runId, status: event.status },
          origin,
        );
        return;
      default:
        // a kind this version does not know (readEnvelope drops those)
        return;
    }
  }

  private changed(change: RunChange, origin: ChangeOrigin) {
    this.runListeners.get(change.runId)?.call(change, origin);
    this.changeListeners.call(change, origin);
  }

  /** Queues an event for the other replicas; one send at a time keeps them in order. */
  private send(event: BrokerEvent) {
    if (!this.events) return;
    this.outbox.push(event);
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  private async drain() {
    // the events of this moment go out together
    await new Promise(resolve => setImmediate(resolve));
    while (this.outbox.length > 0) {
      const envelope: BrokerEnvelope = {
        v: 1,
        origin: this.instanceId,
        events: this.outbox.splice(0, MAX_BATCH),
      };
      try {
        await this.events!.publish({
          topic: RUN_BROKER_TOPIC,
          eventPayload: envelope,
        });
      } catch (e) {
        // other replicas catch up through their polls and heartbeats
        this.logger.warn(
          `Could not send ${envelope.events.length} runbooks event(s) to other replicas: ${e}`,
        );
      }
    }
  }

  /** An event from the events service: another replica's, or this one's own (skipped). */
  private received(params: EventParams) {
    if (this.closed) return;
    const envelope = readEnvelope(params.eventPayload);
    if (!envelope) {
      this.logger.debug(`Ignored a malformed event on ${RUN_BROKER_TOPIC}`);
      return;
    }
    if (envelope.origin === this.instanceId) return;
    for (const event of envelope.events) this.deliver(event, 'remote');
  }
}
