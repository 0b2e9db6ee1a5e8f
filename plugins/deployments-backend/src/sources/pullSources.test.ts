import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DeploymentPullSource,
  deploymentsPullSourcesExtensionPoint,
} from '@fleetdeck/plugin-deployments-node';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { deploymentsPlugin } from '../plugin';
import { component } from '../testing/fixtures';
import { TestRepo } from '../testing/TestRepo';

jest.setTimeout(60_000);

describe('pull sources and the drift summary', () => {
  const root = mkdtempSync(join(tmpdir(), 'fleetdeck-pull-'));
  const payments = new TestRepo(join(root, 'payments-api'));
  const p1 = payments.commit('Initial commit');
  const p2 = payments.commit('PAY-1 SEPA (#1)', 'a.ts');
  const p3 = payments.commit('PAY-2 instant (#2)', 'b.ts');
  const cards = new TestRepo(join(root, 'card-authorizer'));
  const k1 = cards.commit('Initial commit');
  const k2 = cards.commit('CARD-1 3DS (#7)', 'c.ts');
  const file = join(root, 'deployments.json');
  writeFileSync(
    file,
    JSON.stringify({
      deployments: [
        {
          entityRef: 'component:default/card-authorizer',
          environment: 'production',
          commitSha: k2,
          deployedAt: '2026-03-01T00:00:00Z',
        },
        {
          entityRef: 'component:default/card-authorizer',
          environment: 'staging',
          commitSha: k2,
          deployedAt: '2026-03-01T00:00:00Z',
        },
        {
          entityRef: 'component:default/ghost',
          environment: 'staging',
          commitSha: k1,
          deployedAt: '2026-03-01T00:00:00Z',
        },
      ],
    }),
  );

  const fake: DeploymentPullSource = {
    id: 'fake',
    schedule: { frequency: { minutes: 1 }, timeout: { minutes: 1 } },
    async pull() {
      return [
        {
          entityRef: 'component:default/payments-api',
          environment: 'production',
          commitSha: p1,
          deployedAt: '2026-03-01T00:00:00Z',
        },
        {
          entityRef: 'component:default/payments-api',
          environment: 'staging',
          commitSha: p2,
          deployedAt: '2026-03-02T00:00:00Z',
        },
        {
          entityRef: 'component:default/payments-api',
          environment: 'dev',
          commitSha: p3,
          deployedAt: '2026-03-03T00:00:00Z',
        },
      ];
    },
  };
  const fakeModule = createBackendModule({
    pluginId: 'deployments',
    moduleId: 'fake-source',
    register(reg) {
      reg.registerInit({
        deps: { sources: deploymentsPullSourcesExtensionPoint },
        async init({ sources }) {
          sources.addPullSource(fake);
        },
      });
    },
  });

  it('records what sources report, idempotently, and summarises drift', async () => {
    const tasks = new Map<string, () => Promise<void>>();
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: async (task: any) => {
        tasks.set(task.id, () => task.fn(new AbortController().signal));
      },
    });
    const { server } = await startTestBackend({
      features: [
        deploymentsPlugin,
        fakeModule,
        scheduler.factory,
        catalogServiceMock.factory({
          entities: [
            component('payments-api', 'payments-api', {
              owner: 'group:default/payments',
              system: 'payments-platform',
            }),
            component('card-authorizer', 'card-authorizer', {
              owner: 'group:default/cards',
              system: 'card-processing',
            }),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            deployments: {
              git: { allowedRoots: [root], cacheDir: join(root, '.mirrors') },
              importFiles: { paths: [file] },
            },
          },
        }),
      ],
    });
    expect([...tasks.keys()].sort()).toEqual([
      'deployments-mirror-sync',
      'deployments-pull-fake',
      'deployments-pull-file',
    ]);
    for (let i = 0; i < 2; i++) {
      await tasks.get('deployments-pull-fake')!();
      await tasks.get('deployments-pull-file')!();
    }
    await tasks.get('deployments-mirror-sync')!();
    const history = await request(server)
      .get('/api/deployments/v1/entity/history')
      .query({ entityRef: 'component:default/payments-api' });
    expect(
      history.body.items.map((d: any) => [d.environment, d.source]),
    ).toEqual([
      ['dev', 'fake'],
      ['staging', 'fake'],
      ['production', 'fake'],
    ]);

    let drift: any;
    for (let i = 0; i < 50; i++) {
      drift = (await request(server).get('/api/deployments/v1/drift')).body;
      if (!drift.services.some((s: any) => s.pending)) break;
      await new Promise(r => setTimeout(r, 100));
    }
    expect(drift.productionEnvironment).toBe('production');
    expect(
      drift.services.map((s: any) => [
        s.entityRef,
        s.status,
        s.productionBehind,
        s.comparedWith,
      ]),
    ).toEqual([
      ['component:default/payments-api', 'behind', 2, 'dev'],
      ['component:default/card-authorizer', 'current', 0, undefined],
    ]);
    expect(drift.services[0].environments.map((e: any) => e.commitSha)).toEqual(
      [p3, p2, p1],
    );

    const filtered = (
      await request(server)
        .get('/api/deployments/v1/drift')
        .query({ owner: 'cards' })
    ).body;
    expect(filtered.services.map((s: any) => s.entityRef)).toEqual([
      'component:default/card-authorizer',
    ]);
    const bySystem = (
      await request(server)
        .get('/api/deployments/v1/drift')
        .query({ system: 'payments-platform' })
    ).body;
    expect(bySystem.services.map((s: any) => s.entityRef)).toEqual([
      'component:default/payments-api',
    ]);
  });
});
