import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  RunbookExecutor,
  RunbookStepError,
} from '@fleetdeck/plugin-runbooks-node';
import { generateKeyPairSync } from 'crypto';
import { DatabaseRunStore } from '../database/DatabaseRunStore';
import { SecretScopes } from '../trust/SecretScopes';
import { RunWorker } from './RunWorker';
import { ParameterVault } from './secrets';
import { cluster, runbook } from './testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create();

const secret = 'Zx9-very-secret-token';
/** A real ed25519 key: a three-line PEM, configured as a multi-line secret. */
const pem = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
  .trim();
const password = 'p4ssw0rd-from-the-form';
const vault = new ParameterVault('test-key-of-at-least-24-characters');

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 25));
  }
}

/** Every form of the secrets a test executor printed. */
function forms(value: string): string[] {
  const bytes = Buffer.from(value);
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('hex'),
    ...value.split('\n').filter(l => !l.startsWith('-----')),
  ];
}

describe.each(databases.eachSupportedId())(
  'RunWorker redaction on %s',
  databaseId => {
    let store: DatabaseRunStore;
    const workers: RunWorker[] = [];

    beforeAll(async () => {
      store = await DatabaseRunStore.fromKnex(await databases.init(databaseId));
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map(w => w.stop()));
    });

    function worker(
      executor: RunbookExecutor,
      options: Partial<ConstructorParameters<typeof RunWorker>[0]> = {},
    ) {
      const w = new RunWorker({
        store,
        executors: new Map([[executor.id, executor]]),
        logger: mockServices.logger.mock(),
        workerId: `worker-${workers.length}`,
        pollIntervalMs: 20,
        heartbeatIntervalMs: 100,
        vault,
        secrets: SecretScopes.fromConfig(
          new ConfigReader({
            runbooks: {
              secrets: {
                apiToken: { value: secret, runbooks: ['rb'] },
                sshKey: { value: pem, runbooks: ['rb'] },
              },
            },
          }),
        ),
        ...options,
      });
      workers.push(w);
      w.start();
      return w;
    }

    async function createRun(spec: Parameters<typeof runbook>[1] = {}) {
      const rb = runbook('rb', {
        parameters: {
          type: 'object',
          properties: { password: { type: 'string', format: 'password' } },
        },
        ...spec,
      });
      return store.createRun({
        runbookRef: 'runbook:default/rb',
        runbook: rb,
        parameters: vault.seal(rb.spec.parameters, { password }),
        requestedBy: 'user:default/amelie',
        dryRun: false,
        concurrency: 5,
        targets: [
          {
            entityRef: 'cluster:default/kafka-1',
            entity: cluster('kafka-1'),
            needsApproval: false,
          },
        ],
      });
    }

    /** The run's one target, as listed. */
    const onlyTarget = async (runId: string) =>
      (await store.listTargets({ runId, offset: 0, limit: 1 })).items;

    const finished = (runId: string) => async () =>
      (await store.getRunSummary(runId)).status !== 'running';

    it('redacts secrets split over lines, a PEM over three lines and a NUL-split secret, keeping every line in order', async () => {
      const cut = 7;
      const executor: RunbookExecutor = {
        id: 'test',
        async execute(ctx) {
          const { apiToken, sshKey } = ctx.secrets;
          ctx.logger.info('first line');
          // split over two lines, as a wrapping tool prints it
          ctx.logger.info(`token=${apiToken.slice(0, cut)}`);
          ctx.logger.warn(`${apiToken.slice(cut)} (end of token)`);
          // hex and base64 split over lines too
          const hex = Buffer.from(apiToken).toString('hex');
          ctx.logger.info(`hex=${hex.slice(0, 11)}`);
          ctx.logger.info(`${hex.slice(11)}`);
          // the key, line by line
          for (const line of sshKey.split('\n')) ctx.logger.info(line);
          // a NUL in the middle does not hide it
          ctx.logger.error(
            `nul=${apiToken.slice(0, 4)}\u0000${apiToken.slice(4)}`,
          );
          // the run's secret parameter split over lines
          const p = String(ctx.parameters.password);
          ctx.logger.info(`password=${p.slice(0, 10)}`);
          ctx.logger.info(p.slice(10));
          // the step's last line ends like the token begins: held back,
          // then stored with the step
          ctx.logger.info(`last ${apiToken.slice(0, 5)}`);
          return {
            output: {
              split: `${apiToken.slice(0, 3)}\n${apiToken.slice(3)}`,
              key: sshKey,
              [apiToken]: 'as a key',
            },
          };
        },
      };
      const runId = await createRun();
      worker(executor);
      await waitFor(finished(runId));
      const logs = await store.listLogs({ runId, limit: 100 });
      // the step's lines (the store adds its own about the target)
      expect(
        logs.items
          .filter(l => l.stepId)
          .map(l => [l.level, l.stepId, l.message]),
      ).toEqual([
        ['info', 'work', 'Step work (test) attempt 1'],
        ['info', 'work', 'first line'],
        ['info', 'work', 'token=***'],
        ['warn', 'work', '*** (end of token)'],
        ['info', 'work', 'hex=***'],
        ['info', 'work', '***'],
        ['info', 'work', '***'],
        ['info', 'work', '***'],
        ['info', 'work', '***'],
        ['error', 'work', 'nul=***'],
        ['info', 'work', 'password=***'],
        ['info', 'work', '***'],
        ['info', 'work', `last ${secret.slice(0, 5)}`],
      ]);
      const items = await onlyTarget(runId);
      expect(items[0].status).toBe('succeeded');
      expect(items[0].steps[0].output).toEqual({
        split: '***',
        key: '***',
        '***': 'as a key',
      });
      const everything = JSON.stringify([logs, items]);
      for (const form of [...forms(secret), ...forms(pem), password]) {
        expect(everything).not.toContain(form);
      }
    });

    it('redacts an executor error in the target, the step and the log', async () => {
      const executor: RunbookExecutor = {
        id: 'test',
        async execute(ctx) {
          throw new Error(
            `login refused for ${ctx.secrets.apiToken} (basic ${Buffer.from(
              `admin:${ctx.secrets.apiToken}`,
            ).toString('base64')})`,
          );
        },
      };
      const runId = await createRun();
      worker(executor);
      await waitFor(finished(runId));
      const items = await onlyTarget(runId);
      expect(items[0].error).toBe(
        'Step work failed: login refused for *** (basic YWRtaW46***)',
      );
      expect(items[0].steps[0].error).toBe(
        'login refused for *** (basic YWRtaW46***)',
      );
      const logs = await store.listLogs({ runId, limit: 100 });
      expect(logs.items.map(l => l.message)).toContain(
        'Step work failed: login refused for *** (basic YWRtaW46***)',
      );
    });

    it("keeps a failed step's output with its secrets redacted", async () => {
      const executor: RunbookExecutor = {
        id: 'test',
        async execute(ctx) {
          // what a failing check found, quoting the credentials it used
          throw new RunbookStepError('1 certificate expires in 3 days', {
            output: {
              certificates: [{ host: 'kafka-1', daysLeft: 3 }],
              request: `curl -H 'Authorization: Bearer ${ctx.secrets.apiToken}'`,
              key: ctx.secrets.sshKey,
              form: String(ctx.parameters.password),
            },
          });
        },
      };
      const runId = await createRun();
      worker(executor);
      await waitFor(finished(runId));
      const items = await onlyTarget(runId);
      expect(items[0].status).toBe('failed');
      expect(items[0].steps[0]).toMatchObject({
        status: 'failed',
        error: '1 certificate expires in 3 days',
        output: {
          certificates: [{ host: 'kafka-1', daysLeft: 3 }],
          request: "curl -H 'Authorization: Bearer ***'",
          key: '***',
          form: '***',
        },
      });
      const logs = await store.listLogs({ runId, limit: 100 });
      const everything = JSON.stringify([logs, items]);
      for (const form of [...forms(secret), ...forms(pem), password]) {
        expect(everything).not.toContain(form);
      }
    });

    it('redacts what a step came upon at run time once it calls ctx.redact: its log, outputs and later errors', async () => {
      // a key the executor is issued while it runs: no config names it
      const issued = generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString()
        .trim();
      const token = `issued-${'x'.repeat(4)}-token-${Date.now()}`;
      const executor: RunbookExecutor = {
        id: 'test',
        async execute(ctx) {
          if (ctx.stepId === 'issue') {
            ctx.logger.info('issuing a key');
            ctx.redact(issued, token);
            ctx.logger.info(`token=${token}`);
            for (const line of issued.split('\n')) ctx.logger.info(line);
            return { output: { key: issued, token } };
          }
          throw new Error(`could not store ${token}`);
        },
      };
      const runId = await createRun({
        steps: [
          { id: 'issue', executor: 'test' },
          { id: 'store', executor: 'test' },
        ],
      });
      worker(executor);
      await waitFor(finished(runId));
      const items = await onlyTarget(runId);
      expect(items[0].steps[0]).toMatchObject({
        status: 'succeeded',
        output: { key: '***', token: '***' },
      });
      expect(items[0].steps[1].error).toBe('could not store ***');
      const logs = await store.listLogs({ runId, limit: 100 });
      const messages = logs.items
        .filter(l => l.stepId === 'issue')
        .map(l => l.message);
      expect(messages).toEqual([
        'Step issue (test) attempt 1',
        'issuing a key',
        'token=***',
        // every line of the key, as for a configured PEM
        ...issued.split('\n').map(() => '***'),
      ]);
      const everything = JSON.stringify([logs, items]);
      for (const form of [...forms(issued), token]) {
        expect(everything).not.toContain(form);
      }
    });

    it('logs a crashed target without its secrets, and runs it when it is claimed again', async () => {
      const logger = mockServices.logger.mock();
      const runId = await createRun();
      // the database fails once, quoting what it was reading
      const read = store.getRunDefinition.bind(store);
      const spy = jest
        .spyOn(store, 'getRunDefinition')
        .mockRejectedValueOnce(
          new Error(`connection reset while reading '${secret}'`),
        )
        .mockImplementation(read);
      try {
        worker(
          {
            id: 'test',
            async execute(ctx) {
              ctx.logger.info('ran');
            },
          },
          { logger, staleAfterMs: 300 },
        );
        await waitFor(finished(runId));
      } finally {
        spy.mockRestore();
      }
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Runbook target .* crashed: Error: cannot read run .*: Error: connection reset while reading '\*\*\*'$/,
        ),
      );
      expect(JSON.stringify(logger.error.mock.calls)).not.toContain(secret);
      expect((await store.getRunSummary(runId)).status).toBe('succeeded');
    });
  },
);
