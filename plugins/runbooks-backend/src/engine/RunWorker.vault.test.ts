import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FakeVault } from '@fleetdeck/backend-test-utils';
import { VaultClient } from '@fleetdeck/fleetdeck-node';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import { DatabaseRunStore } from '../database/DatabaseRunStore';
import { SecretScopes } from '../trust/SecretScopes';
import { RunWorker } from './RunWorker';
import { cluster, runbook } from './testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create();

const KAFKA = 'secret/data/fleetdeck/kafka';
const vaultPassword = 'Vq7-kafka-password-from-vault';
const otherTeams = 'Zt2-another-teams-secret-value';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 25));
  }
}

describe.each(databases.eachSupportedId())(
  'RunWorker with secrets from Vault on %s',
  databaseId => {
    const vault = new FakeVault();
    let store: DatabaseRunStore;
    let token: string;
    const workers: RunWorker[] = [];
    const seen: Record<string, string>[] = [];

    beforeAll(async () => {
      store = await DatabaseRunStore.fromKnex(await databases.init(databaseId));
      await vault.start();
      vault.putSecret(KAFKA, { password: vaultPassword });
      vault.putSecret('secret/data/fleetdeck/other', { password: otherTeams });
      vault.putSecret('secret/data/payments/db', { password: otherTeams });
    });
    afterAll(() => vault.stop());
    beforeEach(() => {
      vault.requests.length = 0;
      seen.length = 0;
      token = vault.addToken({
        rules: [{ path: 'secret/data/fleetdeck/', capabilities: ['read'] }],
      });
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map(w => w.stop()));
    });

    /** Prints its secrets, and returns them as output. */
    const leaky: RunbookExecutor = {
      id: 'test',
      async execute(ctx) {
        seen.push({ ...ctx.secrets });
        ctx.logger.info(`password=${ctx.secrets.kafkaPassword}`);
        return { output: { password: ctx.secrets.kafkaPassword } };
      },
    };

    function worker() {
      const secrets = SecretScopes.fromConfig(
        new ConfigReader({
          runbooks: {
            secrets: {
              kafkaPassword: {
                value: `vault:${KAFKA}#password`,
                runbooks: ['rb'],
              },
              payments: {
                value: 'vault:secret/data/payments/db#password',
                runbooks: ['rb-payments'],
              },
              otherTeam: {
                value: 'vault:secret/data/fleetdeck/other#password',
                owners: ['group:default/other-team'],
              },
              plain: {
                value: 'plain-config-value-123',
                runbooks: ['rb-plain'],
              },
            },
          },
        }),
        {
          vault: new VaultClient({
            baseUrl: vault.url,
            auth: { token },
            retryDelayMs: 5,
          }),
        },
      );
      const w = new RunWorker({
        store,
        executors: new Map([[leaky.id, leaky]]),
        logger: mockServices.logger.mock(),
        workerId: `worker-${workers.length}`,
        pollIntervalMs: 20,
        heartbeatIntervalMs: 100,
        secrets,
      });
      workers.push(w);
      w.start();
    }

    async function run(name: string) {
      const runId = await store.createRun({
        runbookRef: `runbook:default/${name}`,
        runbook: runbook(name),
        parameters: {},
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
      await waitFor(
        async () => (await store.getRunSummary(runId)).status !== 'running',
      );
      const { items } = await store.listTargets({ runId, offset: 0, limit: 1 });
      const logs = await store.listLogs({ runId, limit: 100 });
      return { runId, target: items[0], logs };
    }

    it("gives a step the Vault secret in its runbook's scope, redacted from logs and outputs", async () => {
      worker();
      const { runId, target, logs } = await run('rb');
      expect(target.status).toBe('succeeded');
      expect(seen).toEqual([{ kafkaPassword: vaultPassword }]);
      expect(target.steps[0].output).toEqual({ password: '***' });
      expect(logs.items.map(l => l.message)).toContain('password=***');
      const stored = JSON.stringify([
        logs,
        target,
        await store.getRunSummary(runId),
        await store.getRunDefinition(runId),
      ]);
      expect(stored).not.toContain(vaultPassword);
      // read once, and only the secret in scope
      expect(vault.requests.map(r => r.path)).toEqual([
        'auth/token/lookup-self',
        KAFKA,
      ]);
    });

    it('fails every step with a clear error when the policy denies the path', async () => {
      worker();
      const { target } = await run('rb-payments');
      expect(target.status).toBe('failed');
      expect(target.error).toContain(
        "Secret 'payments' could not be read from Vault (secret/data/payments/db#password): Vault denied reading secret/data/payments/db (permission denied): grant the portal's Vault policy read on it",
      );
      expect(seen).toHaveLength(0);
      expect(JSON.stringify(target)).not.toContain(otherTeams);
    });

    it('fails every step with a clear error when the token expired', async () => {
      vault.expireToken(token);
      worker();
      const { target } = await run('rb');
      expect(target.status).toBe('failed');
      expect(target.error).toContain(
        "Secret 'kafkaPassword' could not be read from Vault (secret/data/fleetdeck/kafka#password): Vault token expired or revoked: renew vault.auth.token",
      );
      expect(seen).toHaveLength(0);
    });

    it('never asks Vault for a runbook with no Vault secret in its scope', async () => {
      worker();
      const { target } = await run('rb-plain');
      expect(target.status).toBe('succeeded');
      expect(seen).toEqual([{ plain: 'plain-config-value-123' }]);
      expect(vault.requests).toHaveLength(0);
    });
  },
);
