/*
 * Baseline for the runbooks benchmarks: Backstage's own scaffolder running a
 * template whose `each:` loop calls an action that waits `stepMs` over N items
 * (the scaffolder runs loop iterations one after another). Runs the real
 * scaffolder plugin in startTestBackend (its task store on SQLite) as a real
 * task: POST /v2/tasks, then poll until it completes. With a third argument
 * of 2 it runs twice: the fresh backend's first task (`ms`), then the same
 * again (`warmMs`).
 * Prints one JSON line: { ms, warmMs, items }.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';

const items = Number(process.argv[2] ?? 1000);
const stepMs = Number(process.argv[3] ?? 100);
/** 2: the same task again after the first (`warmMs`). */
const runs = Number(process.argv[4] ?? 1);

const benchActions = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'bench-actions',
  register(reg) {
    reg.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'bench:wait',
            supportsDryRun: true,
            schema: { input: { ms: z => z.number() } },
            async handler(ctx) {
              if (ctx.input.ms > 0)
                await new Promise(r => setTimeout(r, ctx.input.ms));
            },
          }),
        );
      },
    });
  },
});

async function main() {
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      benchActions,
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'scaffolder.backstage.io/v1beta3',
            kind: 'Template',
            metadata: { name: 'bench-each', namespace: 'default' },
            spec: {
              type: 'service',
              owner: 'group:default/sre',
              parameters: [],
              steps: [
                {
                  id: 'wait',
                  name: 'wait',
                  action: 'bench:wait',
                  each: '${{ parameters.items }}',
                  input: { ms: stepMs },
                },
              ],
            },
          },
        ],
      }),
      mockServices.rootLogger.factory({ level: 'error' }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  const headers = {
    'Content-Type': 'application/json',
    Authorization: mockCredentials.user.header(),
  };
  /** One task over every item, from its creation to its completion. */
  async function measure() {
    const started = performance.now();
    const res = await fetch(
      `http://localhost:${port}/api/scaffolder/v2/tasks`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify({
          templateRef: 'template:default/bench-each',
          values: {
            items: Array.from({ length: items }, (_, i) => `cluster-${i}`),
          },
        }),
      },
    );
    const created = await res.json();
    if (!res.ok)
      throw new Error(
        `task creation failed: ${res.status} ${JSON.stringify(created).slice(
          0,
          500,
        )}`,
      );
    let task: any;
    for (;;) {
      task = await (
        await fetch(
          `http://localhost:${port}/api/scaffolder/v2/tasks/${created.id}`,
          { headers },
        )
      ).json();
      if (['completed', 'failed', 'cancelled'].includes(task.status)) break;
      await new Promise(r => setTimeout(r, 20));
    }
    if (task.status !== 'completed') throw new Error(`task ${task.status}`);
    return performance.now() - started;
  }
  // the first task of the fresh backend, then the same again
  const ms = await measure();
  const warmMs = runs > 1 ? await measure() : undefined;
  console.log(JSON.stringify({ ms, warmMs, items, status: 'completed' }));
  await Promise.race([backend.stop(), new Promise(r => setTimeout(r, 5000))]);
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
