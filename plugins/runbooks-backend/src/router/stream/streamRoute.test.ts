import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { cluster, runbook } from '../../engine/testUtils';
import { startTestRouter } from '../__testUtils__/testRouter';
import {
  eventually,
  openStream,
  TestStreamClient,
} from '../__testUtils__/sseTestClient';

jest.setTimeout(120_000);

const databases = TestDatabases.create();

/** A runbook whose every target waits for group sre. */
const patch = runbook('kafka-patch', {
  approval: {
    when: { 'spec.engine': 'kafka' },
    approvers: ['group:default/sre'],
  },
});
const clusters = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    cluster(`kafka-${String(i + 1).padStart(3, '0')}`),
  );
const amelie = { credentials: mockCredentials.user('user:default/amelie') };
const hannah = { credentials: mockCredentials.user('user:default/hannah') };

/** Distinct targets a client was told about. */
const targetsSeen = (client: TestStreamClient) =>
  new Set(
    client.events.flatMap(e => (e.type === 'target' ? [e.target.id] : [])),
  );
const linesSeen = (client: TestStreamClient) =>
  client.events.filter(e => e.type === 'log').length;

describe.each(databases.eachSupportedId())('run stream on %s', databaseId => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await databases.init(databaseId);
  });

  it('sends target 501 of a 600-target run its status events', async () => {
    const api = await startTestRouter({
      knex,
      entities: [patch, ...clusters(600)],
      stream: { coalesceMs: 20, fallbackPollMs: 60_000 },
    });
    try {
      const run = await api.service.startRun(
        {
          runbookRef: 'kafka-patch',
          targets: clusters(600).map(c => c.metadata.name),
        },
        amelie,
      );
      const client = await openStream(`${api.url}/runs/${run.id}/stream`);
      await eventually(() => targetsSeen(client).size === 600);

      const { items } = await api.service.listTargets(
        { runId: run.id, offset: 500, limit: 1 },
        amelie,
      );
      const target501 = items[0];
      expect(target501.entityRef).toBe('cluster:default/kafka-501');
      await api.service.decide(
        run.id,
        { approve: true, targetIds: [target501.id] },
        hannah,
      );
      await eventually(() =>
        client.events.some(
          e =>
            e.type === 'target' &&
            e.target.id === target501.id &&
            e.target.status === 'pending',
        ),
      );
      // the run's counts follow
      await eventually(() =>
        client.events.some(e => e.type === 'run' && e.run.counts.pending === 1),
      );
      client.close();
    } finally {
      await api.stop();
    }
  });

  it('costs the database no more queries a second for 100 clients of a run than for one', async () => {
    const api = await startTestRouter({
      knex,
      entities: [patch, ...clusters(3)],
      // a poll falls into each window too
      stream: { coalesceMs: 50, fallbackPollMs: 1000 },
    });
    let selects = 0;
    const count = (query: { sql: string }) => {
      if (/^\s*select/i.test(query.sql)) selects++;
    };
    knex.on('query', count);
    try {
      const run = await api.service.startRun(
        { runbookRef: 'kafka-patch', targets: ['kafka-001', 'kafka-002'] },
        amelie,
      );
      /** Selects a second while `clients` watch and a worker logs 10 lines a second. */
      const measure = async (clients: TestStreamClient[]) => {
        await eventually(() => clients.every(c => targetsSeen(c).size === 2));
        const windowMs = 5000;
        const before = selects;
        const started = Date.now();
        let written = 0;
        while (Date.now() - started < windowMs) {
          await api.store.appendLogs([
            { runId: run.id, level: 'info', message: `line ${++written}` },
          ]);
          api.broker.publish({ type: 'logs', runId: run.id });
          await new Promise(r => setTimeout(r, 100));
        }
        const perSecond = ((selects - before) * 1000) / (Date.now() - started);
        // every client got every line of the run, once
        const { items } = await api.service.logsSince({
          runId: run.id,
          limit: 5000,
        });
        expect(items.length).toBeGreaterThanOrEqual(written);
        await eventually(() =>
          clients.every(c => linesSeen(c) === items.length),
        );
        clients.forEach(c => c.close());
        return perSecond;
      };

      const url = `${api.url}/runs/${run.id}/stream`;
      const one = await measure([await openStream(url)]);
      const many = await measure(
        await Promise.all(Array.from({ length: 100 }, () => openStream(url))),
      );
      // eslint-disable-next-line no-console
      console.log(
        `${databaseId}: selects/s with 1 client ${one.toFixed(
          1,
        )}, with 100 clients ${many.toFixed(1)}`,
      );
      // the polls and event bursts that fall into a window vary by a few
      expect(many).toBeLessThanOrEqual(one * 1.25 + 1);
    } finally {
      knex.removeListener('query', count);
      await api.stop();
    }
  });
});
