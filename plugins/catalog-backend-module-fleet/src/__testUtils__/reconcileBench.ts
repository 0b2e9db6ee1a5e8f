/*
 * Benchmark body for bench/workloads/fleet-reconcile.mjs (run with the CLI's
 * transpiler, never imported by the module): the catalog and this module in
 * one backend (in-memory SQLite), an inventory of N clusters ingested, then
 * the provider's refresh task and the reconcile task timed on their own.
 * Prints one JSON line: { clusters, refreshMs[], ingestMs, reconcileMs[], apiMs[] }.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogModuleFleet } from '../module';
import { generatedInventory } from './killScenario';
import { manualScheduler } from './manualScheduler';

const CLUSTERS = Number(process.env.FLEET_BENCH_CLUSTERS ?? 10_000);
const PASSES = 5;

const org = ['platform-kafka', 'platform-mongodb', 'sre']
  .map(
    t =>
      `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: ${t} }\nspec: { type: team, children: [] }\n`,
  )
  .join('---\n');

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-reconcile-bench-'));
  writeFileSync(join(dir, 'org.yaml'), org);
  writeFileSync(join(dir, 'hosts.yml'), generatedInventory(CLUSTERS, 0));
  const { factory, tasks } = manualScheduler();
  const backend = await startTestBackend({
    features: [
      mockServices.database.factory(),
      catalogPlugin,
      catalogModuleFleet,
      factory,
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['Group', 'Location', 'Cluster'] }],
            locations: [{ type: 'file', target: join(dir, 'org.yaml') }],
            providers: {
              fleet: {
                ansible: {
                  bench: {
                    path: join(dir, 'hosts.yml'),
                    schedule: {
                      frequency: { minutes: 30 },
                      timeout: { minutes: 5 },
                    },
                  },
                },
              },
            },
          },
        },
      }),
    ],
  });
  const base = `http://127.0.0.1:${
    (backend.server.address() as { port: number }).port
  }`;
  const served = async () => {
    const res = await fetch(
      `${base}/api/catalog/entities/by-query?filter=kind=cluster&limit=1&fields=metadata.name`,
    ).catch(() => undefined);
    return res?.ok
      ? ((await res.json()) as { totalItems: number }).totalItems
      : 0;
  };
  const refresh = tasks.get('fleet-ansible-inventory:bench:refresh')!;
  const reconcile = tasks.get('fleetdeck-catalog-inventory-reconcile')!;
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  try {
    const started = performance.now();
    const refreshMs = [await time(refresh)];
    while ((await served()) < CLUSTERS) {
      if (performance.now() - started > 900_000)
        throw new Error('ingestion did not finish in 15 minutes');
      await new Promise(r => setTimeout(r, 500));
    }
    const ingestMs = performance.now() - started;
    for (let i = 1; i < PASSES; i++) refreshMs.push(await time(refresh));
    const reconcileMs: number[] = [];
    for (let i = 0; i < PASSES; i++) reconcileMs.push(await time(reconcile));
    // What the served check costs through the catalog API instead (the
    // fallback): every cluster streamed by a kind=Cluster query.
    const apiMs: number[] = [];
    for (let i = 0; i < PASSES; i++)
      apiMs.push(await time(() => streamAll(base)));
    process.stdout.write(
      `${JSON.stringify({
        clusters: CLUSTERS,
        refreshMs,
        ingestMs,
        reconcileMs,
        apiMs,
      })}\n`,
    );
  } finally {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function streamAll(base: string) {
  let cursor: string | undefined;
  let n = 0;
  do {
    const query = cursor
      ? `cursor=${encodeURIComponent(cursor)}`
      : 'filter=kind=cluster&fields=kind,metadata.name,metadata.namespace';
    const res = await fetch(
      `${base}/api/catalog/entities/by-query?${query}&limit=500`,
    );
    const body = (await res.json()) as {
      items: unknown[];
      pageInfo: { nextCursor?: string };
    };
    n += body.items.length;
    cursor = body.pageInfo.nextCursor;
  } while (cursor);
  return n;
}

main().then(
  () => process.exit(0),
  e => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  },
);
