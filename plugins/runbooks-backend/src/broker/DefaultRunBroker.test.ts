import { mockServices } from '@backstage/backend-test-utils';
import {
  DefaultEventsService,
  EventsService,
} from '@backstage/plugin-events-node';
import { DefaultRunBroker } from './DefaultRunBroker';
import { ChangeOrigin, RunChange } from './RunBroker';
import { RUN_BROKER_TOPIC } from './wire';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Two replicas: each broker on the runbooks plugin's events service of one shared bus. */
async function replicas() {
  const bus = DefaultEventsService.create({
    logger: mockServices.logger.mock(),
  });
  const make = async (instanceId: string) => {
    const logger = mockServices.logger.mock();
    const events = bus.forPlugin('runbooks');
    const broker = await DefaultRunBroker.create({
      logger,
      events,
      instanceId,
    });
    return { broker, logger, events };
  };
  return { a: await make('replica-a'), b: await make('replica-b'), bus };
}

/** Everything one broker's listeners hear, in order. */
function record(broker: DefaultRunBroker, runId = 'run-1') {
  const heard: string[] = [];
  broker.onWake(() => heard.push('wake'));
  broker.onAbort(id => heard.push(`abort ${id}`));
  broker.onRunFinished((id, status, origin) =>
    heard.push(`finished ${id} ${status} ${origin}`),
  );
  broker.subscribe(runId, (change: RunChange, origin: ChangeOrigin) =>
    heard.push(
      `${change.type} ${change.runId}${
        change.type === 'target' ? ` ${change.targetId} ${change.status}` : ''
      }${change.type === 'run' ? ` ${change.status}` : ''} ${origin}`,
    ),
  );
  return heard;
}

describe('DefaultRunBroker', () => {
  const brokers: DefaultRunBroker[] = [];
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map(b => b.close()));
  });

  it('delivers at once on this replica and once on the other, never twice on the sender', async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    const heardA = record(a.broker);
    const heardB = record(b.broker);

    a.broker.wake();
    a.broker.abort('run-1');
    a.broker.publish({
      type: 'target',
      runId: 'run-1',
      targetId: 't-1',
      status: 'running',
    });
    a.broker.finished('run-1', 'succeeded');
    // the sender's own listeners heard everything before any I/O
    expect(heardA).toEqual([
      'wake',
      'abort run-1',
      'target run-1 t-1 running local',
      'finished run-1 succeeded local',
      'run run-1 succeeded local',
    ]);
    expect(heardB).toEqual([]);

    await sleep(50);
    expect(heardB).toEqual([
      'wake',
      'abort run-1',
      'target run-1 t-1 running remote',
      'finished run-1 succeeded remote',
      'run run-1 succeeded remote',
    ]);
    // nothing came back to the sender through the bus
    expect(heardA).toHaveLength(5);

    b.broker.wake();
    await sleep(50);
    expect(heardA.filter(h => h === 'wake')).toHaveLength(2);
    expect(heardB.filter(h => h === 'wake')).toHaveLength(2);
  });

  it('gives each replica its own subscription, so that every replica hears every event', async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    expect(a.broker.subscriptionId).not.toBe(b.broker.subscriptionId);
    const third = await DefaultRunBroker.create({
      logger: mockServices.logger.mock(),
      events: a.events,
    });
    brokers.push(third);
    const woken: string[] = [];
    b.broker.onWake(() => woken.push('b'));
    third.onWake(() => woken.push('third'));
    a.broker.wake();
    await sleep(50);
    expect(woken.sort()).toEqual(['b', 'third']);
  });

  it('tells a run subscriber only about its run, until it unsubscribes', async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    const heard: RunChange[] = [];
    const stop = b.broker.subscribe('run-1', c => heard.push(c));
    a.broker.publish({ type: 'run', runId: 'run-2' });
    a.broker.publish({ type: 'run', runId: 'run-1', status: 'cancelled' });
    await sleep(50);
    expect(heard).toEqual([
      { type: 'run', runId: 'run-1', status: 'cancelled' },
    ]);
    stop();
    a.broker.publish({ type: 'run', runId: 'run-1' });
    await sleep(50);
    expect(heard).toHaveLength(1);
  });

  it('sends at most 4 log changes a second per run, and the last one always', async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    const local: number[] = [];
    const remote: number[] = [];
    const other: number[] = [];
    a.broker.subscribe('run-1', c => c.type === 'logs' && local.push(1));
    b.broker.subscribe('run-1', c => c.type === 'logs' && remote.push(1));
    b.broker.subscribe('run-2', c => c.type === 'logs' && other.push(1));

    const started = Date.now();
    while (Date.now() - started < 1000) {
      a.broker.publish({ type: 'logs', runId: 'run-1' });
      await sleep(5);
    }
    a.broker.publish({ type: 'logs', runId: 'run-2' });
    await sleep(400);
    // a second of lines: the first at once, then one per 250 ms, and the trailing one
    expect(local.length).toBeGreaterThanOrEqual(4);
    expect(local.length).toBeLessThanOrEqual(6);
    expect(remote).toHaveLength(local.length);
    // another run's lines are not held back by the first run's
    expect(other).toHaveLength(1);
  });

  it("announces a run's held-back log change before its end", async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    const heard = record(b.broker);
    a.broker.publish({ type: 'logs', runId: 'run-1' });
    a.broker.publish({ type: 'logs', runId: 'run-1' });
    a.broker.finished('run-1', 'failed');
    await sleep(50);
    expect(heard).toEqual([
      'logs run-1 remote',
      'logs run-1 remote',
      'finished run-1 failed remote',
      'run run-1 failed remote',
    ]);
  });

  it('keeps calling the other listeners when one throws, here and on the other replica', async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    const heard: string[] = [];
    for (const { broker } of [a, b]) {
      broker.onWake(() => {
        throw new Error('listener broke');
      });
      broker.onWake(() => heard.push(`wake ${broker.instanceId}`));
      broker.subscribe('run-1', async () => {
        throw new Error('async listener broke');
      });
      broker.subscribe('run-1', c =>
        heard.push(`${c.type} ${broker.instanceId}`),
      );
    }
    a.broker.wake();
    a.broker.publish({ type: 'run', runId: 'run-1' });
    a.broker.publish({ type: 'run', runId: 'run-1' });
    await sleep(50);
    expect(heard.sort()).toEqual([
      'run replica-a',
      'run replica-a',
      'run replica-b',
      'run replica-b',
      'wake replica-a',
      'wake replica-b',
    ]);
    for (const { logger } of [a, b]) {
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('listener broke'),
      );
    }
  });

  it('ignores malformed events on its topic', async () => {
    const { a, b } = await replicas();
    brokers.push(a.broker, b.broker);
    const heard = record(b.broker);
    for (const eventPayload of [
      null,
      'wake',
      { v: 2, origin: 'x', events: [{ kind: 'wake' }] },
      { v: 1, origin: 'x', events: [{ kind: 'abort' }, { kind: 'nope' }] },
    ]) {
      await a.events.publish({ topic: RUN_BROKER_TOPIC, eventPayload });
    }
    await a.events.publish({
      topic: RUN_BROKER_TOPIC,
      eventPayload: { v: 1, origin: 'x', events: [{ kind: 'wake' }] },
    });
    await sleep(20);
    expect(heard).toEqual(['wake']);
  });

  it('keeps working on this replica when the events service fails', async () => {
    const logger = mockServices.logger.mock();
    const events: EventsService = {
      subscribe: async () => {},
      publish: async () => {
        throw new Error('events backend is down');
      },
    };
    const broker = await DefaultRunBroker.create({ logger, events });
    brokers.push(broker);
    const woken: number[] = [];
    broker.onWake(() => woken.push(1));
    broker.wake();
    broker.wake();
    await sleep(20);
    expect(woken).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('events backend is down'),
    );
  });
});
