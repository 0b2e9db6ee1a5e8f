import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RunSummary } from '@fleetdeck/plugin-runbooks-common';
import { Redactor } from '@fleetdeck/plugin-runbooks-node';
import { RunStore } from '../database/RunStore';
import { cluster, runbook, testTrustPolicy } from '../engine/testUtils';
import { RunbooksService } from './RunbooksService';
import { RunNotifier } from './RunNotifier';
import { DefaultRunBroker } from '../broker/DefaultRunBroker';

/** A broker of this process only, as the plugin has without an events service. */
const testBroker = () =>
  DefaultRunBroker.create({ logger: mockServices.logger.mock() });

const run = (
  status: RunSummary['status'],
  requestedBy = 'user:default/amelie',
): RunSummary => ({
  id: 'r1',
  runbookRef: 'runbook:default/kafka-rolling-patch',
  runbookTitle: 'Kafka rolling patch',
  requestedBy,
  status,
  dryRun: false,
  parameters: {},
  concurrency: 5,
  createdAt: new Date().toISOString(),
  total: 3,
  counts: {
    awaiting_approval: 0,
    pending: 0,
    running: 0,
    succeeded: 1,
    failed: 2,
    cancelled: 0,
    rejected: 0,
  },
  approvers: ['group:default/sre'],
});

/** A store that knows one run, whose stored runbook `owner` owns. */
const storeOf = (owner?: string) => ({
  getRunDefinition: jest.fn(async (_runId: string) => ({
    runbook: runbook('nightly-backup', owner ? { owner } : {}),
    parameters: {},
  })),
});

describe('RunNotifier', () => {
  it('tells the requester when a run ends with failures, and signals the page', async () => {
    const send = jest.fn();
    const publish = jest.fn().mockResolvedValue(undefined);
    const notifier = new RunNotifier({
      logger: mockServices.logger.mock(),
      notifications: { send },
      signals: { publish },
      store: storeOf(),
    });
    await notifier.runFinished(run('succeeded'));
    expect(send).not.toHaveBeenCalled();
    await notifier.runFinished(run('failed'));
    expect(send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'user:default/amelie' },
      payload: expect.objectContaining({
        title: 'Runbook run failed on 2 of 3 targets',
        description: 'Kafka rolling patch',
        link: '/runbooks/runs/r1',
        severity: 'high',
      }),
    });
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: 'runbooks:run:r1',
      message: { type: 'run', runId: 'r1', status: 'failed' },
    });
    // runs a service started have no person to tell
    send.mockClear();
    await notifier.runFinished(run('failed', 'service:plugin:runbooks'));
    expect(send).not.toHaveBeenCalled();
  });

  it("tells the runbook's owner group when a scheduled run ends with failures", async () => {
    const send = jest.fn();
    const store = storeOf('sre'); // as written in the entity: no kind, no namespace
    const notifier = new RunNotifier({
      logger: mockServices.logger.mock(),
      notifications: { send },
      store,
    });
    await notifier.runFinished({
      ...run('failed', 'schedule:runbook:default/nightly-backup'),
      runbookTitle: 'Nightly backup',
      schedule: '0 2 * * *',
      total: 10,
    });
    expect(store.getRunDefinition).toHaveBeenCalledWith('r1');
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'group:default/sre' },
      payload: {
        title: 'Scheduled run of Nightly backup failed on 2 of 10 targets',
        description: 'Nightly backup · started by its schedule (0 2 * * *)',
        link: '/runbooks/runs/r1',
        severity: 'high',
        topic: 'runbooks:runbook:default/kafka-rolling-patch',
      },
    });
  });

  it('never fails a run when the owner of a scheduled run cannot be read', async () => {
    const send = jest.fn();
    const logger = mockServices.logger.mock();
    const notifier = new RunNotifier({
      logger,
      notifications: { send },
      store: {
        getRunDefinition: jest.fn().mockRejectedValue(new Error('db down')),
      },
    });
    await expect(
      notifier.runFinished(
        run('failed', 'schedule:runbook:default/nightly-backup'),
      ),
    ).resolves.toBeUndefined();
    expect(send).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not find the owner of run r1'),
    );
  });

  it('quotes the first failure, and says no secret in notifications or logs', async () => {
    const secret = 'Zx9-very-secret-token';
    const send = jest.fn().mockImplementation(async ({ payload }) => {
      // a notification service that refuses, quoting what it was given
      throw new Error(`refused ${JSON.stringify(payload)}`);
    });
    const logger = mockServices.logger.mock();
    const listTargets = jest.fn(async () => ({
      totalCount: 1,
      items: [
        {
          entityRef: 'cluster:default/kafka-1',
          // stored before redaction held on every path
          error: `Step patch failed: login refused for ${secret}`,
        },
      ],
    }));
    const notifier = new RunNotifier({
      logger,
      notifications: { send },
      store: { ...storeOf(), listTargets } as any,
      redactor: new Redactor([secret]),
    });
    const hostile = {
      ...run('failed'),
      runbookTitle: `Rotate ${Buffer.from(secret).toString('base64')}`,
    };
    await notifier.runFinished(hostile);
    await notifier.approvalNeeded({
      ...hostile,
      counts: { ...hostile.counts, awaiting_approval: 1 },
    });
    expect(listTargets).toHaveBeenCalledWith({
      runId: 'r1',
      status: ['failed'],
      offset: 0,
      limit: 1,
    });
    expect(send.mock.calls.map(([n]) => n.payload)).toEqual([
      expect.objectContaining({
        title: 'Runbook run failed on 2 of 3 targets',
        description:
          'Rotate *** · cluster:default/kafka-1: Step patch failed: login refused for ***',
      }),
      expect.objectContaining({ title: 'Approval needed: Rotate ***' }),
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not send notification: Error: refused'),
    );
    const everything = JSON.stringify([
      send.mock.calls,
      logger.warn.mock.calls,
    ]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
  });

  it('asks the approver groups when targets wait', async () => {
    const send = jest.fn().mockRejectedValue(new Error('notifications down'));
    const logger = mockServices.logger.mock();
    await new RunNotifier({
      logger,
      notifications: { send },
      store: storeOf(),
    }).approvalNeeded({
      ...run('running'),
      counts: { ...run('running').counts, awaiting_approval: 2 },
    });
    expect(send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'group:default/sre' },
      payload: expect.objectContaining({
        title: 'Approval needed: Kafka rolling patch',
        description: '2 target(s) requested by user:default/amelie',
      }),
    });
    expect(logger.warn).toHaveBeenCalled(); // a failing notification never fails the run
  });
});

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'RunNotifier with scheduled runs on %s',
  databaseId => {
    it('asks the approvers of a scheduled run, then tells the owner group it failed', async () => {
      const broker = await testBroker();
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const base = runbook('nightly-backup', {
        owner: 'sre',
        targets: { kind: 'Cluster', 'spec.engine': 'postgresql' },
        approval: {
          when: { 'spec.environment': 'production' },
          approvers: ['group:default/dba'],
        },
        schedule: { cron: '0 2 * * *' },
      });
      const backup = {
        ...base,
        metadata: { ...base.metadata, title: 'Nightly backup' },
      };
      const send = jest.fn().mockResolvedValue(undefined);
      const logger = mockServices.logger.mock();
      const notifier = new RunNotifier({
        logger,
        notifications: { send },
        store,
      });
      const service = new RunbooksService({
        store,
        catalog: catalogServiceMock({
          entities: [
            backup as Entity,
            cluster('pg-prod-01', {
              engine: 'postgresql',
              environment: 'production',
              owner: 'group:default/sre',
            }),
            cluster('pg-prod-02', {
              engine: 'postgresql',
              environment: 'production',
              owner: 'group:default/sre',
            }),
            // not SRE's: the schedule leaves it out
            cluster('pg-payments-01', {
              engine: 'postgresql',
              owner: 'group:default/payments',
            }),
          ],
        }),
        permissions: mockServices.permissions(),
        userInfo: mockServices.userInfo({
          ownershipEntityRefs: ['user:default/dana', 'group:default/dba'],
        }),
        auditor: mockServices.auditor.mock(),
        logger,
        notifier,
        broker,
        trust: testTrustPolicy,
      });
      // as the plugin does: whoever ends a run tells the broker, the notifier hears it
      const finished: Promise<void>[] = [];
      broker.onRunFinished(runId =>
        finished.push(
          service
            .getRunSummary(runId)
            .then(ended => notifier.runFinished(ended)),
        ),
      );

      const started = await service.startScheduledRun(backup, {
        credentials: mockCredentials.service(),
      });
      expect(started.counts.awaiting_approval).toBe(2);
      expect(send.mock.calls).toEqual([
        [
          {
            recipients: { type: 'entity', entityRef: 'group:default/dba' },
            payload: {
              title: 'Approval needed: scheduled run of Nightly backup',
              description: '2 target(s) started by its schedule (0 2 * * *)',
              link: `/runbooks/runs/${started.id}`,
              severity: 'normal',
              topic: 'runbooks:runbook:default/nightly-backup',
            },
          },
        ],
      ]);

      // a DBA turns both down: the run ends failed, and SRE hears of it
      send.mockClear();
      const decided = await service.decide(
        started.id,
        { approve: false, comment: 'not during the migration' },
        { credentials: mockCredentials.user('user:default/dana') },
      );
      expect(decided.status).toBe('failed');
      expect(finished).toHaveLength(1);
      await Promise.all(finished);
      expect(send.mock.calls).toEqual([
        [
          {
            recipients: { type: 'entity', entityRef: 'group:default/sre' },
            payload: expect.objectContaining({
              title: 'Scheduled run of Nightly backup failed on 2 of 2 targets',
              link: `/runbooks/runs/${started.id}`,
              severity: 'high',
            }),
          },
        ],
      ]);
    });
  },
);
