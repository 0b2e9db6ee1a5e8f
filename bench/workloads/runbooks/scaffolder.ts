/*
 * Baseline for the runbooks benchmarks: Backstage's own scaffolder running a
 * template whose `each:` loop calls an action that waits `stepMs` over N items
 * (the scaffolder runs loop iterations one after another). Runs the real
 * scaffolder plugin in startTestBackend and its dry-run endpoint, which
 * executes the template's steps with the same workflow runner as a task.
 * Prints one JSON line: { ms, items }.
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
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootLogger.factory({ level: 'error' }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  const template = {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'bench-each' },
    spec: {
      type: 'service',
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
  };
  const started = performance.now();
  const res = await fetch(
    `http://localhost:${port}/api/scaffolder/v2/dry-run`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: mockCredentials.user.header(),
      },
      body: JSON.stringify({
        template,
        values: {
          items: Array.from({ length: items }, (_, i) => `cluster-${i}`),
        },
        directoryContents: [],
      }),
    },
  );
  const body = await res.json();
  const ms = performance.now() - started;
  if (!res.ok)
    throw new Error(
      `dry run failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`,
    );
  const ran = (body.log ?? []).filter((l: any) =>
    /bench:wait|Running step/i.test(JSON.stringify(l)),
  ).length;
  console.log(
    JSON.stringify({ ms, items, logLines: (body.log ?? []).length, ran }),
  );
  await Promise.race([backend.stop(), new Promise(r => setTimeout(r, 5000))]);
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
