/*
 * A real backend process for the crash and two-process tests: createBackend()
 * with the runbooks plugin, a counting executor and the aap executor,
 * configured by --config.
 * Started by processHarness.ts with the CLI's transpiler; never imported.
 */
import { createBackend } from '@backstage/backend-defaults';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { runbooksExecutorsExtensionPoint } from '@fleetdeck/plugin-runbooks-node';
import { appendFileSync, existsSync, readFileSync } from 'fs';
import { runbooksPlugin } from '../plugin';

const journal = process.env.RUNBOOKS_TEST_JOURNAL!;
const stepMs = Number(process.env.RUNBOOKS_TEST_STEP_MS ?? 20);
const now = () => performance.timeOrigin + performance.now();
const write = (record: object) =>
  appendFileSync(
    journal,
    `${JSON.stringify({ pid: process.pid, ...record })}\n`,
  );

/** Keys whose side effect already happened (the executor's own idempotency record). */
function effectDone(key: string) {
  if (!existsSync(journal)) return false;
  return readFileSync(journal, 'utf8').includes(`"effect","key":"${key}"`);
}

const countingExecutors = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'counting-executor',
  register(reg) {
    reg.registerInit({
      deps: { runbooks: runbooksExecutorsExtensionPoint },
      async init({ runbooks }) {
        runbooks.addExecutor({
          id: 'count',
          async execute(ctx) {
            const key = ctx.idempotencyKey;
            write({ type: 'start', key, at: now() });
            await new Promise(r => setTimeout(r, stepMs));
            if (!effectDone(key)) write({ type: 'effect', key });
            write({ type: 'end', key, at: now() });
            return { output: { by: process.pid } };
          },
        });
      },
    });
  },
});

const backend = createBackend();
backend.add(runbooksPlugin);
backend.add(countingExecutors);
// the real aap executor, where the test configures runbooks.aap
backend.add(import('@fleetdeck/plugin-runbooks-backend-module-aap'));
backend.start().then(() => write({ type: 'ready' }));
