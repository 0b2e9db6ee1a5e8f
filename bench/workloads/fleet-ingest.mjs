// Fleet ingestion: 50,000 clusters (FLEET_INGEST_CLUSTERS) from one Ansible
// inventory by the inventory provider, against stock Backstage ingesting the
// same Cluster entities from catalog-info YAML `file` locations (one per
// 10,000 entities, see run), in the same run. Each side runs in its own fresh backend process (catalog + the fleet
// module, embedded SQLite); the figure is the time from process start until
// the catalog API reports all clusters, plus the backend's peak memory
// (VmHWM). At 50,000 on a 2-core machine, FLEET_INGEST_SIDE_BY_SIDE=1 runs
// the two at once, a core each: 25 and 27 minutes (2026-12-03); one after the
// other takes longer.
import { spawn } from 'node:child_process';
import {
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendScript, freePort } from '../lib.mjs';

const CLUSTERS = Number(process.env.FLEET_INGEST_CLUSTERS ?? 50_000);
export const name = `fleet: ingest ${CLUSTERS.toLocaleString(
  'en-US',
)} clusters (provider vs catalog-info file)`;
/** Entities per catalog-info file of the stock side (see run). */
const FILE_ENTITIES = 10_000;
/** How long either side may take to show every cluster. */
const TIMEOUT_MS = Math.max(600_000, CLUSTERS * 120);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENGINES = ['kafka', 'mongodb', 'postgresql', 'kubernetes', 'redis'];
const ENVS = ['dev', 'staging', 'production'];
const TEAMS = ['platform-kafka', 'platform-mongodb', 'sre'];

/** The inventory: engine and environment groups with group vars, one group per cluster. */
export function inventoryYaml() {
  const lines = ['all:', '  children:'];
  for (const engine of ENGINES) {
    lines.push(
      `    ${engine}:`,
      '      vars:',
      `        fleetdeck_engine: ${engine}`,
      '      children:',
    );
    for (let i = 0; i < CLUSTERS; i++) {
      if (ENGINES[i % ENGINES.length] !== engine) continue;
      const env = ENVS[i % ENVS.length];
      lines.push(
        `        ${engine}_c${i}:`,
        '          hosts:',
        `            ${engine}-c${i}-[1:3].${env}.bench.example:`,
        '          vars:',
        '            fleetdeck_cluster: true',
        `            fleetdeck_version: "${3 + (i % 4)}.${i % 10}.1"`,
        `            fleetdeck_environment: ${env}`,
        `            fleetdeck_owner: group:default/${TEAMS[i % TEAMS.length]}`,
        `            fleetdeck_region: eu-central-${1 + (i % 2)}`,
        `            fleetdeck_endpoints: { primary: "${engine}-c${i}.${env}.bench.example:443" }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Cluster entities exactly as the provider maps the inventory (computed by the module's own code). */
export function catalogInfoYaml(dir) {
  const script = `
const { loadAnsibleInventory, readInventoryFromPath } = require('@fleetdeck/plugin-catalog-backend-module-fleet');
const { ansibleClusters, DEFAULT_ANSIBLE_FIELDS } = require('@fleetdeck/plugin-catalog-backend-module-fleet/src/inventory/ansibleClusters');
const { draftToEntity } = require('@fleetdeck/plugin-catalog-backend-module-fleet/src/inventory/clusterDraft');
const { stringify } = require('yaml');
(async () => {
  const inventory = loadAnsibleInventory(await readInventoryFromPath(process.argv[1]));
  const drafts = ansibleClusters(inventory, { groupVar: 'fleetdeck_cluster', fields: DEFAULT_ANSIBLE_FIELDS });
  const docs = drafts.map(d => {
    const e = draftToEntity(d, { locationKey: 'x', sourceLabel: 'bench' });
    for (const k of ['backstage.io/managed-by-location', 'backstage.io/managed-by-origin-location']) delete e.metadata.annotations[k];
    return stringify(e);
  });
  process.stdout.write(docs.join('---\\n'));
})();`;
  return new Promise((ok, fail) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@backstage/cli/config/nodeTransform.cjs',
        '-e',
        script,
        join(dir, 'hosts.yml'),
      ],
      {
        cwd: join(repo, 'packages/backend'),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const out = [];
    child.stdout.on('data', d => out.push(d));
    child.on('exit', code =>
      code === 0
        ? ok(Buffer.concat(out).toString())
        : fail(new Error(`entity generation failed (${code})`)),
    );
  });
}

async function measure(label, dir, catalogConfig, log) {
  const port = await freePort();
  const config = join(dir, `${label}.yaml`);
  writeFileSync(
    config,
    JSON.stringify({
      app: { baseUrl: `http://127.0.0.1:${port}` },
      backend: {
        baseUrl: `http://127.0.0.1:${port}`,
        listen: { port, host: '127.0.0.1' },
        auth: { dangerouslyDisableDefaultAuthPolicy: true },
        database: { client: 'better-sqlite3', connection: ':memory:' },
      },
      catalog: {
        rules: [{ allow: ['Cluster', 'Location'] }],
        processingInterval: { minutes: 30 },
        ...catalogConfig,
      },
    }),
  );
  const script = join(dir, 'backend.cjs');
  writeFileSync(
    script,
    backendScript([
      '@backstage/plugin-catalog-backend',
      '@fleetdeck/plugin-catalog-backend-module-fleet',
    ]),
  );
  const started = performance.now();
  // FLEET_INGEST_CPU_PROF=<dir>: a V8 CPU profile of each backend, written there
  const profileDir = process.env.FLEET_INGEST_CPU_PROF;
  // FLEET_INGEST_LOG_DIR=<dir>: each backend's log, at info level, in a file there
  const logDir = process.env.FLEET_INGEST_LOG_DIR;
  const logFile = logDir
    ? openSync(join(logDir, `${label.replace(/\W+/g, '-')}.log`), 'w')
    : 'ignore';
  const child = spawn(
    process.execPath,
    [
      ...(profileDir
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${join(profileDir, label.replace(/\W+/g, '-'))}`,
          ]
        : []),
      '-r',
      '@backstage/cli/config/nodeTransform.cjs',
      script,
      '--config',
      config,
    ],
    {
      cwd: join(repo, 'packages/backend'),
      env: {
        ...process.env,
        LOG_LEVEL: logDir ? 'info' : 'warn',
        NODE_OPTIONS: '--max-old-space-size=4096',
      },
      stdio: ['ignore', logFile, 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', d => (stderr = (stderr + d).slice(-4000)));
  const peak = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(
        readFileSync(`/proc/${child.pid}/status`, 'utf8'),
      );
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  };
  let listening;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${label} backend exited: ${stderr}`);
      if (performance.now() - started > TIMEOUT_MS)
        throw new Error(
          `${label}: not all clusters visible after ${
            TIMEOUT_MS / 1000
          } s: ${stderr}`,
        );
      try {
        const res = await fetch(
          `http://127.0.0.1:${port}/api/catalog/entities/by-query?filter=kind=cluster&limit=1&fields=metadata.name`,
        );
        listening ??= performance.now() - started;
        if (res.ok) {
          const { totalItems } = await res.json();
          if (totalItems >= CLUSTERS) break;
        }
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const memory = peak();
    log(
      `${label}: ${CLUSTERS} clusters visible after ${seconds.toFixed(1)} s ` +
        `(backend answered after ${(listening / 1000).toFixed(
          1,
        )} s), peak backend memory ${memory.toFixed(0)} MB`,
    );
    return { seconds, memory };
  } finally {
    if (profileDir && child.exitCode === null) {
      // the profile is written as the backend shuts down
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise(r => setTimeout(r, 60_000))]);
    }
    child.kill('SIGKILL');
  }
}

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
  try {
    writeFileSync(join(dir, 'hosts.yml'), inventoryYaml());
    // Stock Backstage given one location of 50,000 entities (one 31 MB file,
    // or a glob over five files) served none of them, and no error, in 8 to
    // 12 minutes, the backend idle; 10,000 a location it ingests. So: one
    // `file` location per 10,000 entities.
    const docs = (await catalogInfoYaml(dir)).split(/^---\n/m);
    let catalogInfoBytes = 0;
    const files = Math.ceil(docs.length / FILE_ENTITIES);
    for (let i = 0; i < files; i++) {
      const text = docs
        .slice(i * FILE_ENTITIES, (i + 1) * FILE_ENTITIES)
        .join('---\n');
      catalogInfoBytes += text.length;
      writeFileSync(join(dir, `clusters-${i}.yaml`), text);
    }
    log(
      `generated ${CLUSTERS} clusters (${(
        readFileSync(join(dir, 'hosts.yml')).length / 1e6
      ).toFixed(1)} MB inventory, ${(catalogInfoBytes / 1e6).toFixed(
        1,
      )} MB catalog-info)`,
    );
    const stockSide = () =>
      measure(
        'stock file location',
        dir,
        {
          locations: Array.from({ length: files }, (_, i) => ({
            type: 'file',
            target: join(dir, `clusters-${i}.yaml`),
          })),
        },
        log,
      );
    const fleetSide = () =>
      measure(
        'fleet provider',
        dir,
        {
          providers: {
            fleet: {
              ansible: {
                bench: {
                  path: join(dir, 'hosts.yml'),
                  // the default 20 MB cap is below 50,000 clusters' inventory
                  maxInventorySize: 1024 * 1024 * 1024,
                  schedule: {
                    frequency: { minutes: 30 },
                    timeout: { minutes: 60 },
                  },
                },
              },
            },
          },
        },
        log,
      );
    // FLEET_INGEST_SIDE_BY_SIDE=1: both backends at once, one core each (at
    // 50,000 each side alone takes about an hour on this 2-core machine)
    const [stock, fleet] =
      process.env.FLEET_INGEST_SIDE_BY_SIDE === '1'
        ? await Promise.all([stockSide(), fleetSide()])
        : [await stockSide(), await fleetSide()];
    return [
      {
        figure: `time until ${CLUSTERS} clusters are visible`,
        value: fleet.seconds,
        baseline: stock.seconds,
        unit: 's',
        goal: 1.0,
        better: 'lower',
      },
      {
        figure: 'peak backend memory (VmHWM)',
        value: fleet.memory,
        baseline: stock.memory,
        unit: 'MB',
        better: 'lower',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
