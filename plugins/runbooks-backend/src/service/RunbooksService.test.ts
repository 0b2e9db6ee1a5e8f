import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { RunStore } from '../database/RunStore';
import { cluster, runbook, testTrustPolicy } from '../engine/testUtils';
import { RunWorker } from '../engine/RunWorker';
import { ParameterVault } from '../engine/secrets';
import { RunbooksService } from './RunbooksService';
import { RunNotifier } from './RunNotifier';
import { ConfigReader } from '@backstage/config';
import { SecretScopes } from '../trust/SecretScopes';
import { TrustPolicy } from '../trust/TrustPolicy';
import { DefaultRunBroker } from '../broker/DefaultRunBroker';

/** A broker of this process only, as the plugin has without an events service. */
const testBroker = () =>
  DefaultRunBroker.create({ logger: mockServices.logger.mock() });

const databases = TestDatabases.create();

describe.each(databases.eachSupportedId())(
  'RunbooksService audit events on %s',
  databaseId => {
    it('audits people starting and cancelling runs as before', async () => {
      const broker = await testBroker();
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const auditor = mockServices.auditor.mock();
      const permissions = mockServices.permissions.mock({
        // amelie may run on her team's clusters only
        authorize: async requests =>
          requests.map(r => ({
            result:
              (r as { resourceRef?: string }).resourceRef ===
              'cluster:default/kafka-cards-01'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })) as any,
      });
      const logger = mockServices.logger.mock();
      const service = new RunbooksService({
        store,
        catalog: catalogServiceMock({
          entities: [
            runbook('kafka-rolling-patch') as any,
            cluster('kafka-payments-01'),
            cluster('kafka-cards-01', { owner: 'group:default/cards' }),
          ],
        }),
        permissions,
        userInfo: mockServices.userInfo(),
        auditor,
        logger,
        notifier: new RunNotifier({ logger, store }),
        broker,
        trust: testTrustPolicy,
      });
      const amelie = {
        credentials: mockCredentials.user('user:default/amelie'),
      };
      const events = () =>
        Promise.all(
          auditor.createEvent.mock.calls.map(async ([options], i) => {
            const event = await auditor.createEvent.mock.results[i].value;
            return {
              eventId: options.eventId,
              meta: options.meta,
              success: event.success.mock.calls,
              fail: event.fail.mock.calls,
            };
          }),
        );

      // refused on one target: nothing is written, the event fails
      await expect(
        service.startRun(
          { runbookRef: 'kafka-rolling-patch', dryRun: true },
          amelie,
        ),
      ).rejects.toThrow(
        'You may not run runbook:default/kafka-rolling-patch on cluster:default/kafka-cards-01',
      );
      // allowed on the target she names: a run requested by her
      const run = await service.startRun(
        {
          runbookRef: 'kafka-rolling-patch',
          targets: ['kafka-payments-01'],
        },
        amelie,
      );
      expect(run.requestedBy).toBe('user:default/amelie');
      await service.cancel(run.id, amelie);
      await expect(service.cancel(run.id, amelie)).rejects.toThrow(
        'has already ended',
      );

      const [refused, started, cancelled, again] = await events();
      expect(refused).toMatchObject({
        eventId: 'run-start',
        meta: {
          actor: 'user:default/amelie',
          runbookRef: 'runbook:default/kafka-rolling-patch',
          dryRun: true,
          targets: 'all matching',
        },
        success: [],
      });
      expect(refused.fail).toEqual([
        [{ error: expect.objectContaining({ name: 'NotAllowedError' }) }],
      ]);
      expect(started).toMatchObject({
        eventId: 'run-start',
        meta: {
          actor: 'user:default/amelie',
          targets: ['kafka-payments-01'],
        },
        success: [[{ meta: { runId: run.id, targetCount: 1 } }]],
        fail: [],
      });
      expect(cancelled).toMatchObject({
        eventId: 'run-cancel',
        meta: { actor: 'user:default/amelie', runId: run.id },
        success: [[]],
        fail: [],
      });
      expect(again.success).toEqual([]);
      expect(again.fail).toEqual([
        [{ error: expect.objectContaining({ name: 'ConflictError' }) }],
      ]);
      expect((await store.listRuns({ limit: 10 })).items).toHaveLength(1);
    });

    it('keeps secret parameters encrypted in the run store, and a retry still has them', async () => {
      const broker = await testBroker();
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const logger = mockServices.logger.mock();
      const key = 'rotation-key-of-at-least-24-chars';
      const rotation = runbook('key-rotation', {
        parameters: {
          type: 'object',
          required: ['adminPassword'],
          properties: {
            keyLength: { type: 'integer' },
            adminPassword: { type: 'string', format: 'password' },
          },
        },
      });
      const make = (vault?: ParameterVault) =>
        new RunbooksService({
          store,
          catalog: catalogServiceMock({
            entities: [rotation as any, cluster('kafka-payments-01')],
          }),
          permissions: mockServices.permissions(),
          userInfo: mockServices.userInfo(),
          auditor: mockServices.auditor.mock(),
          logger,
          notifier: new RunNotifier({ logger, store }),
          broker,
          trust: testTrustPolicy,
          vault,
        });
      const amelie = {
        credentials: mockCredentials.user('user:default/amelie'),
      };
      const request = {
        runbookRef: 'key-rotation',
        targets: ['kafka-payments-01'],
        parameters: { keyLength: 4096, adminPassword: 'Adm1n-pa55-from-form' },
      };

      // no key configured: refused, nothing stored
      await expect(make().startRun(request, amelie)).rejects.toThrow(
        'needs runbooks.encryptionKey set',
      );
      expect((await store.listRuns({ limit: 10 })).items).toHaveLength(0);

      const service = make(new ParameterVault(key));
      // too short to redact from output: refused, nothing stored
      await expect(
        service.startRun(
          { ...request, parameters: { adminPassword: 'pin1' } },
          amelie,
        ),
      ).rejects.toThrow(
        "Secret 'parameters.adminPassword' is 4 characters; secrets shorter than 8 cannot be redacted reliably",
      );
      expect((await store.listRuns({ limit: 10 })).items).toHaveLength(0);
      const run = await service.startRun(request, amelie);
      expect(run.parameters).toEqual({ keyLength: 4096, adminPassword: '***' });
      const rows = await store.db('runbooks_runs').select('parameters');
      expect(JSON.stringify(rows)).not.toContain('Adm1n-pa55');

      // the worker's view: decrypted with the same key
      const executed: unknown[] = [];
      const worker = new RunWorker({
        store,
        executors: new Map([
          [
            'test',
            {
              id: 'test',
              async execute(ctx) {
                executed.push(ctx.parameters.adminPassword);
                ctx.logger.info(`using ${ctx.parameters.adminPassword}`);
                throw new Error('cluster unreachable');
              },
            },
          ],
        ]),
        logger,
        workerId: 'w',
        pollIntervalMs: 20,
        vault: new ParameterVault(key),
      });
      worker.start();
      try {
        const ended = async (id: string) => {
          for (let i = 0; i < 400; i++) {
            if ((await store.getRunSummary(id)).status !== 'running') return;
            await new Promise(r => setTimeout(r, 25));
          }
          throw new Error(`run ${id} did not end`);
        };
        await ended(run.id);
        // retry of the failed target: the secret is still there
        const retry = await service.retryFailed(run.id, amelie);
        await ended(retry.id);
        expect(executed).toEqual([
          'Adm1n-pa55-from-form',
          'Adm1n-pa55-from-form',
        ]);
        const logs = await store.listLogs({ runId: run.id, limit: 100 });
        expect(logs.items.map(l => l.message)).toContain('using ***');
      } finally {
        await worker.stop();
      }

      // a worker with another key fails the target and says why
      const other = await service.startRun(request, amelie);
      const wrongKey = new RunWorker({
        store,
        executors: new Map([['test', { id: 'test', execute: async () => {} }]]),
        logger,
        workerId: 'w2',
        pollIntervalMs: 20,
        vault: new ParameterVault('a-different-key-24-chars-long'),
      });
      wrongKey.start();
      try {
        for (let i = 0; i < 400; i++) {
          if ((await store.getRunSummary(other.id)).status !== 'running') break;
          await new Promise(r => setTimeout(r, 25));
        }
      } finally {
        await wrongKey.stop();
      }
      const { items } = await store.listTargets({
        runId: other.id,
        offset: 0,
        limit: 1,
      });
      expect(items[0]).toMatchObject({
        status: 'failed',
        error:
          "Secret parameter 'adminPassword' cannot be decrypted: was runbooks.encryptionKey changed since the run started?",
      });
    });

    it('refuses a runbook that names a secret outside its scope at start, and a worker refuses what is no longer trusted', async () => {
      const broker = await testBroker();
      const store = await RunStore.fromKnex(await databases.init(databaseId));
      const logger = mockServices.logger.mock();
      const secrets = SecretScopes.fromConfig(
        new ConfigReader({
          runbooks: {
            secrets: {
              backupKey: {
                value: 'backup-key-0123456789',
                runbooks: ['nightly-backup'],
              },
            },
          },
        }),
      );
      const greedy = runbook('kafka-patch', {
        steps: [
          {
            id: 'work',
            executor: 'test',
            input: { key: '${{ secrets.backupKey }}' },
          },
        ],
      });
      const plain = runbook('kafka-check');
      const service = new RunbooksService({
        store,
        catalog: catalogServiceMock({
          entities: [greedy as any, plain as any, cluster('kafka-payments-01')],
        }),
        permissions: mockServices.permissions(),
        userInfo: mockServices.userInfo(),
        auditor: mockServices.auditor.mock(),
        logger,
        notifier: new RunNotifier({ logger, store }),
        broker,
        trust: testTrustPolicy,
        secrets,
      });
      const amelie = {
        credentials: mockCredentials.user('user:default/amelie'),
      };
      await expect(
        service.startRun(
          { runbookRef: 'kafka-patch', targets: ['kafka-payments-01'] },
          amelie,
        ),
      ).rejects.toThrow(
        "runbook:default/kafka-patch may not use secret 'backupKey' is not scoped to it (runbooks.secrets.backupKey.runbooks / .owners)",
      );
      expect((await store.listRuns({ limit: 10 })).items).toHaveLength(0);

      // started while trusted; by the time a worker picks it up, the
      // operators no longer trust where it came from
      const run = await service.startRun(
        { runbookRef: 'kafka-check', targets: ['kafka-payments-01'] },
        amelie,
      );
      const executed: string[] = [];
      const worker = new RunWorker({
        store,
        executors: new Map([
          [
            'test',
            {
              id: 'test',
              execute: async ctx => {
                executed.push(ctx.target.metadata.name);
              },
            },
          ],
        ]),
        logger,
        workerId: 'w',
        pollIntervalMs: 20,
        trust: new TrustPolicy({ configLocations: [] }),
      });
      worker.start();
      try {
        for (let i = 0; i < 400; i++) {
          if ((await store.getRunSummary(run.id)).status !== 'running') break;
          await new Promise(r => setTimeout(r, 25));
        }
      } finally {
        await worker.stop();
      }
      expect(executed).toEqual([]);
      const { items } = await store.listTargets({
        runId: run.id,
        offset: 0,
        limit: 1,
      });
      expect(items[0]).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(
          /^Not trusted: runbook:default\/kafka-check was read from file:\/srv\/fleetdeck\/runbooks\/kafka-check\/catalog-info\.yaml/,
        ),
      });
    });
  },
);

describe('RunbooksService.listRunbooks', () => {
  it('lists the runbooks that apply to an entity by title, whatever order the catalog returns', async () => {
    const broker = await testBroker();
    const titled = (name: string, title: string, engine = 'kafka') => {
      const r = runbook(name, {
        targets: { kind: 'Cluster', 'spec.engine': engine },
      });
      r.metadata.title = title;
      return r as any;
    };
    const logger = mockServices.logger.mock();
    const service = new RunbooksService({
      store: {} as RunStore,
      catalog: catalogServiceMock({
        entities: [
          titled('tls', 'certificate expiry check'),
          titled('patch', 'Kafka rolling patch'),
          titled('mongo', 'MongoDB key rotation', 'mongodb'),
          titled('backup', 'Backup'),
          cluster('kafka-payments-01'),
        ],
      }),
      permissions: mockServices.permissions.mock(),
      userInfo: mockServices.userInfo(),
      auditor: mockServices.auditor.mock(),
      logger,
      notifier: new RunNotifier({ logger, store: {} as RunStore }),
      broker,
      trust: testTrustPolicy,
    });
    const caller = { credentials: mockCredentials.user('user:default/amelie') };

    const all = await service.listRunbooks({}, caller);
    expect(all.map(r => r.title)).toEqual([
      'Backup',
      'certificate expiry check',
      'Kafka rolling patch',
      'MongoDB key rotation',
    ]);
    const forKafka = await service.listRunbooks(
      { entityRef: 'cluster:default/kafka-payments-01' },
      caller,
    );
    expect(forKafka.map(r => r.name)).toEqual(['backup', 'tls', 'patch']);
  });
});
