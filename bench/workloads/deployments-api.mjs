// Deployment diffs through the HTTP API of a real backend process (catalog +
// deployments plugin, embedded SQLite): 2,000 services x 3 environments
// recorded from an import file (DEPLOYMENTS_BENCH_SERVICES for quick runs),
// mirrors fetched and comparisons warmed as a real deployment would; then
// (1) the cached diff API's p95 over 1,000 requests, goal <= 20 ms, and
// (2) the fleet drift summary's p95 against the catalog's own list of the same
// entities (GET /api/catalog/entities/by-query?filter=kind=component, all of
// them in one page), same backend, requests alternated: goal <= 2x, and <= 300 ms.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendScript, freePort } from '../lib.mjs';

const { makeRepo } = createRequire(import.meta.url)('./deployments/repo.cjs');

const SERVICES = Number(process.env.DEPLOYMENTS_BENCH_SERVICES ?? 2000);
export const name = `deployments: cached diff API and drift summary (${SERVICES} services x 3 environments)`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Drift summaries (and as many catalog lists, alternated) in the p95. */
const DRIFT_REQUESTS = Number(
  process.env.DEPLOYMENTS_BENCH_DRIFT_REQUESTS ?? 60,
);
const REQUESTS = 1000;
const TOKEN = 'bench-token-0123456789abcdef0123456789';
const OWNERS = ['payments', 'cards', 'risk', 'platform-kafka', 'sre'];

const percentile = (xs, p) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor(xs.length * p))
  ];

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-api-'));
  let child;
  try {
    const shas = makeRepo(join(dir, 'git', 'services'), 3000);
    const entities = [];
    const deployments = [];
    const at = i => new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString();
    for (let i = 0; i < SERVICES; i++) {
      entities.push(
        JSON.stringify({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: `svc-${i}`,
            annotations: { 'fleetdeck.io/git-repo': 'services' },
          },
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner: OWNERS[i % OWNERS.length],
            system: `system-${i % 20}`,
          },
        }),
      );
      const prod = 1000 + ((i * 7) % 1500);
      for (const [environment, index] of [
        ['production', prod],
        ['staging', prod + 3 + (i % 40)],
        ['dev', prod + 50 + (i % 200)],
      ]) {
        deployments.push({
          entityRef: `component:default/svc-${i}`,
          environment,
          commitSha: shas[index],
          deployedAt: at(i),
        });
      }
    }
    writeFileSync(join(dir, 'entities.yaml'), entities.join('\n---\n'));
    writeFileSync(join(dir, 'deployments.json'), JSON.stringify(deployments));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'config.yaml'),
      JSON.stringify({
        app: { baseUrl: base },
        backend: {
          baseUrl: base,
          listen: { port, host: '127.0.0.1' },
          database: {
            client: 'better-sqlite3',
            connection: { directory: join(dir, 'data') },
          },
          auth: {
            externalAccess: [
              { type: 'static', options: { token: TOKEN, subject: 'bench' } },
            ],
          },
        },
        catalog: {
          rules: [{ allow: ['Component', 'Location'] }],
          locations: [{ type: 'file', target: join(dir, 'entities.yaml') }],
          processingInterval: { minutes: 30 },
        },
        deployments: {
          git: {
            allowedRoots: [join(dir, 'git')],
            cacheDir: join(dir, 'mirrors'),
          },
          importFiles: {
            paths: [join(dir, 'deployments.json')],
            schedule: { frequency: { seconds: 5 }, timeout: { minutes: 5 } },
          },
        },
      }),
    );
    writeFileSync(
      join(dir, 'backend.cjs'),
      backendScript([
        '@backstage/plugin-catalog-backend',
        '@fleetdeck/plugin-deployments-backend',
      ]),
    );
    const started = performance.now();
    child = spawn(
      process.execPath,
      [
        // e.g. DEPLOYMENTS_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
        ...(process.env.DEPLOYMENTS_BENCH_NODE_ARGS?.split(' ').filter(
          Boolean,
        ) ?? []),
        '-r',
        '@backstage/cli/config/nodeTransform.cjs',
        join(dir, 'backend.cjs'),
        '--config',
        join(dir, 'config.yaml'),
      ],
      {
        cwd: join(repoRoot, 'packages/backend'),
        env: { ...process.env, LOG_LEVEL: 'error' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', d => (stderr = (stderr + d).slice(-4000)));
    const get = async path => {
      const res = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (!res.ok)
        throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };

    // Wait until every service is deployed and every comparison is cached.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`backend exited: ${stderr}`);
      if (performance.now() - started > 900_000)
        throw new Error('drift not complete after 900 s');
      try {
        const drift = await get('/api/deployments/v1/drift');
        const done = drift.services.filter(
          s => !s.pending && s.productionBehind !== undefined,
        ).length;
        if (drift.services.length === SERVICES && done === SERVICES) break;
      } catch {
        // not up yet
      }
      await new Promise(r => setTimeout(r, 1000));
    }
    // Everything is recorded: the pipeline's file is consumed, so that the
    // import (every 5 s) does not re-read thousands of records while timed.
    writeFileSync(join(dir, 'deployments.json'), '[]');
    log(
      `${SERVICES} services x 3 environments recorded, mirrored and compared after ${(
        (performance.now() - started) /
        1000
      ).toFixed(1)} s`,
    );

    // As the Deployments tab does: the overview names the SHAs, the diff pages are asked by SHA.
    const ranges = [];
    for (let i = 0; i < Math.min(50, SERVICES); i++) {
      const o = await get(
        `/api/deployments/v1/entity/deployments?entityRef=component:default/svc-${i}`,
      );
      const sha = env =>
        o.environments.find(e => e.environment === env).current.commitSha;
      ranges.push(
        `entityRef=component:default/svc-${i}&base=${sha(
          'production',
        )}&head=${sha('staging')}`,
      );
    }
    const diffPath = i =>
      `/api/deployments/v1/entity/diff?${ranges[i % ranges.length]}&limit=100`;
    for (let i = 0; i < 50; i++) await get(diffPath(i)); // first view: per-commit files computed once
    const times = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      const d = await get(diffPath(i));
      times.push(performance.now() - t);
      if (d.commits.length !== d.ahead) throw new Error('unexpected page');
    }
    log(
      `cached diff API over ${REQUESTS} requests: p50 ${percentile(
        times,
        0.5,
      ).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(
        1,
      )} ms, max ${Math.max(...times).toFixed(1)} ms`,
    );
    // For scale on a busy machine: stock Backstage's entity-by-name route, same process, same run.
    const stock = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      await get(
        `/api/catalog/entities/by-name/component/default/svc-${
          i % Math.min(50, SERVICES)
        }`,
      );
      stock.push(performance.now() - t);
    }
    log(
      `stock catalog entity-by-name over ${REQUESTS} requests: p50 ${percentile(
        stock,
        0.5,
      ).toFixed(1)} ms, p95 ${percentile(stock, 0.95).toFixed(1)} ms`,
    );

    // The drift summary against the catalog listing the same entities, on the
    // same backend: alternated request by request so both see the same load.
    const catalogList = `/api/catalog/entities/by-query?filter=kind=component&limit=${
      SERVICES + 10
    }`;
    const listed = await get(catalogList);
    if (listed.items.length !== SERVICES)
      throw new Error(`catalog listed ${listed.items.length} components`);
    for (let i = 0; i < 3; i++) {
      await get('/api/deployments/v1/drift');
      await get(catalogList);
    }
    const drifts = [];
    const lists = [];
    let drift;
    for (let i = 0; i < DRIFT_REQUESTS; i++) {
      const timeDrift = async () => {
        const t = performance.now();
        drift = await get('/api/deployments/v1/drift');
        drifts.push(performance.now() - t);
      };
      const timeList = async () => {
        const t = performance.now();
        await get(catalogList);
        lists.push(performance.now() - t);
      };
      if (i % 2) {
        await timeDrift();
        await timeList();
      } else {
        await timeList();
        await timeDrift();
      }
    }
    if (drift.services.length !== SERVICES)
      throw new Error(`drift listed ${drift.services.length} services`);
    const stats = xs =>
      `p50 ${percentile(xs, 0.5).toFixed(0)} ms, p95 ${percentile(
        xs,
        0.95,
      ).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
    log(
      `drift summary of ${
        drift.services.length
      } services over ${DRIFT_REQUESTS} requests: ${stats(drifts)}; first: ${
        drift.services[0].entityRef
      } ${drift.services[0].productionBehind} behind`,
    );
    log(
      `catalog by-query list of the same ${SERVICES} components over ${DRIFT_REQUESTS} requests (alternated): ${stats(
        lists,
      )}`,
    );
    return [
      {
        figure: `cached diff API p95 (${REQUESTS} requests; baseline = the 20 ms goal)`,
        value: percentile(times, 0.95),
        baseline: 20,
        unit: 'ms',
        goal: 1,
        better: 'lower',
      },
      {
        figure: `cached diff API p95 vs stock catalog entity-by-name p95 (same run)`,
        value: percentile(times, 0.95),
        baseline: percentile(stock, 0.95),
        unit: 'ms',
        better: 'lower',
      },
      {
        figure: `drift summary p95 vs catalog by-query list p95, ${SERVICES} services x 3 environments (${DRIFT_REQUESTS} requests each, alternated)`,
        value: percentile(drifts, 0.95),
        baseline: percentile(lists, 0.95),
        unit: 'ms',
        goal: 2,
        better: 'lower',
      },
      {
        figure: `drift summary p95, ${SERVICES} services x 3 environments (baseline = the 300 ms goal)`,
        value: percentile(drifts, 0.95),
        baseline: 300,
        unit: 'ms',
        goal: 1,
        better: 'lower',
      },
    ];
  } finally {
    if (child && process.env.DEPLOYMENTS_BENCH_NODE_ARGS) {
      // a clean exit, so that --cpu-prof and the like write their files
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise(r => setTimeout(r, 20_000))]);
    }
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
