// What Fleetdeck costs a stock Backstage app in memory (issue 16): the backend
// RSS of the adoption test's stock app (scripts/adoption.sh: create-app, every
// plugin installed from its tarball as the READMEs say) with Fleetdeck, idle
// and during a 1,000-target runbook run, against the same app's backend as
// create-app wrote it (no Fleetdeck lines), idle. Both on SQLite, same config.
//
// The app is built once in ADOPTION_WORK (default: a directory under the
// machine's cache that later runs reuse; about 12 minutes the first time).
// The run: 1,000 clusters from an inventory, one `http` step each (a GET to
// the backend's own liveness endpoint), concurrency 50.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from '../lib.mjs';

const TARGETS = Number(process.env.ADOPTION_RSS_TARGETS ?? 1000);
const ALLOWED_MB = 200;
export const name = `stock app backend RSS with Fleetdeck vs without (idle, ${TARGETS.toLocaleString(
  'en-US',
)}-target run)`;

const sleep = ms => new Promise(r => setTimeout(r, ms));
const work =
  process.env.ADOPTION_WORK ??
  join(
    process.env.FLEETDECK_CACHE ??
      join(
        process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
        'fleetdeck',
      ),
    'adoption-bench',
  );
const app = join(work, 'my-portal');
const backendDir = join(app, 'packages/backend');

function ensureApp(log) {
  if (existsSync(join(work, '.done-build'))) return;
  log(`installing and building the stock app in ${work} (about 12 minutes)`);
  const r = spawnSync('bash', ['scripts/adoption.sh'], {
    cwd: repoRoot,
    env: { ...process.env, ADOPTION_WORK: work, ADOPTION_UNTIL: 'build' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('scripts/adoption.sh failed');
}

function inventory() {
  const lines = ['[kafka:children]'];
  for (let i = 0; i < TARGETS; i++) lines.push(`kafka_rss_${i}`);
  for (let i = 0; i < TARGETS; i++) {
    lines.push(
      '',
      `[kafka_rss_${i}]`,
      `kafka-rss-${i}-01.bench.fleetdeck.example`,
      '',
      `[kafka_rss_${i}:vars]`,
      'fleetdeck_cluster=true',
      `fleetdeck_cluster_name=kafka-rss-${i}`,
      'fleetdeck_engine=kafka',
      'fleetdeck_environment=dev',
      'fleetdeck_owner=group:default/platform-kafka',
      'fleetdeck_version="3.8.0"',
    );
  }
  return `${lines.join('\n')}\n`;
}

const runbook = url => `apiVersion: fleetdeck.io/v1alpha1
kind: Runbook
metadata:
  name: rss-liveness
  title: Liveness check (benchmark)
spec:
  owner: group:default/platform-kafka
  type: check
  targets:
    kind: Cluster
    spec.engine: kafka
  concurrency: 50
  timeout: 1m
  steps:
    - id: live
      executor: http
      input:
        url: http://127.0.0.1:${new URL(url).port}/.backstage/health/v1/liveness
`;

/** The backend's RSS in MB: the node process under the process group leader. */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function withBackend(label, entry, configs, url, fn) {
  const child = spawn(
    process.execPath,
    [
      '-r',
      '@backstage/cli/config/nodeTransform.cjs',
      entry,
      ...configs.flatMap(c => ['--config', c]),
    ],
    {
      cwd: backendDir,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', d => (stderr = (stderr + d).slice(-4000)));
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null)
        throw new Error(`${label} backend exited: ${stderr}`);
      if (i > 600) throw new Error(`${label} backend not ready in 2 minutes`);
      const ok = await fetch(`${url}/.backstage/health/v1/readiness`)
        .then(r => r.ok)
        .catch(() => false);
      if (ok) break;
      await sleep(200);
    }
    return await fn({ rss: () => rssMb(child.pid) });
  } finally {
    child.kill('SIGTERM');
    await Promise.race([
      new Promise(r => child.once('exit', r)),
      sleep(10_000),
    ]);
    child.kill('SIGKILL');
  }
}

/** The median of RSS samples every 500 ms for `ms`, after `settleMs` to settle. */
async function idleRss(rss, settleMs = 30_000, ms = 20_000) {
  await sleep(settleMs);
  const samples = [];
  for (const end = Date.now() + ms; Date.now() < end; await sleep(500))
    samples.push(rss());
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

async function api(url, token, path, init = {}) {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  if (!res.ok)
    throw new Error(
      `${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${(
        await res.text()
      ).slice(0, 500)}`,
    );
  return res.json();
}

export async function run({ log }) {
  ensureApp(log);
  const stockSource = join(backendDir, 'src/index.ts.stock');
  if (!existsSync(stockSource))
    throw new Error(
      `${stockSource} is missing: delete ${work} and run again (an older adoption run made it)`,
    );
  const dir = join(work, 'rss');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'inventory'), { recursive: true });
  writeFileSync(join(dir, 'inventory/hosts.ini'), inventory());
  const port = await freePort();
  const url = `http://localhost:${port}`;
  // a runbook's folder is pinned whole when a run starts: one of its own
  mkdirSync(join(dir, 'runbook'));
  writeFileSync(join(dir, 'runbook/rss-liveness.yaml'), runbook(url));
  // the adoption test's configuration, with this inventory and runbook
  const config = join(dir, 'app-config.adoption.yaml');
  writeFileSync(
    config,
    readFileSync(
      join(repoRoot, 'scripts/adoption/app-config.adoption.yaml'),
      'utf8',
    )
      .replaceAll('__ROOT__', repoRoot)
      .replaceAll('__WORK__', dir)
      .replaceAll('__URL__', url)
      .replaceAll('__PORT__', String(port)),
  );
  const overlay = join(dir, 'app-config.rss.yaml');
  writeFileSync(
    overlay,
    JSON.stringify({
      catalog: {
        locations: [
          { type: 'file', target: join(dir, 'runbook/rss-liveness.yaml') },
        ],
      },
      runbooks: { worker: { maxParallel: 50 } },
    }),
  );
  const configs = [join(app, 'app-config.yaml'), config, overlay];
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'demo/git'), { recursive: true });

  // the app as create-app wrote it, beside the Fleetdeck one
  const stockEntry = join(backendDir, 'src/index.stock-bench.ts');
  copyFileSync(stockSource, stockEntry);
  let stock;
  try {
    stock = await withBackend('stock', stockEntry, configs, url, ({ rss }) =>
      idleRss(rss),
    );
  } finally {
    rmSync(stockEntry, { force: true });
  }
  log(`stock app alone, idle: ${stock.toFixed(0)} MB`);

  rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  const fleet = await withBackend(
    'fleetdeck',
    'src/index.ts',
    configs,
    url,
    async ({ rss }) => {
      const { token } = (
        await api(url, undefined, '/api/auth/guest/refresh', { method: 'POST' })
      ).backstageIdentity;
      // every cluster and the runbook in the catalog
      for (let i = 0; ; i++) {
        const { totalItems } = await api(
          url,
          token,
          '/api/catalog/entities/by-query?filter=kind=cluster,spec.engine=kafka&limit=1',
        );
        const rb = await fetch(
          `${url}/api/catalog/entities/by-name/runbook/default/rss-liveness`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        if (totalItems >= TARGETS && rb.ok) break;
        if (i > 600) throw new Error(`only ${totalItems} clusters after 5 min`);
        await sleep(500);
      }
      const idle = await idleRss(rss);
      const targets = Array.from(
        { length: TARGETS },
        (_, i) => `cluster:default/kafka-rss-${i}`,
      );
      const started = Date.now();
      const created = await api(url, token, '/api/runbooks/runs', {
        method: 'POST',
        body: JSON.stringify({
          runbookRef: 'runbook:default/rss-liveness',
          targets,
        }),
      });
      let peak = rss();
      let status;
      for (;;) {
        peak = Math.max(peak, rss());
        ({ status } = await api(
          url,
          token,
          `/api/runbooks/runs/${created.id}`,
        ));
        if (!['running', 'awaiting_approval'].includes(status)) break;
        if (Date.now() - started > 600_000)
          throw new Error('the run did not finish in 10 minutes');
        await sleep(200);
      }
      if (status !== 'succeeded') throw new Error(`the run ended ${status}`);
      log(
        `with Fleetdeck: idle ${idle.toFixed(
          0,
        )} MB; ${TARGETS} targets ran in ${(
          (Date.now() - started) /
          1000
        ).toFixed(1)} s, peak ${peak.toFixed(0)} MB`,
      );
      return { idle, peak };
    },
  );
  // stock + 200 MB as a ratio of stock, rounded down (bench/run.mjs compares ratios)
  const goal = Math.floor(((stock + ALLOWED_MB) / stock) * 100) / 100;
  return [
    {
      figure: `idle RSS with Fleetdeck (goal: stock + ${ALLOWED_MB} MB)`,
      value: fleet.idle,
      baseline: stock,
      unit: 'MB',
      goal,
      better: 'lower',
    },
    {
      figure: `peak RSS during the ${TARGETS}-target run (goal: stock + ${ALLOWED_MB} MB)`,
      value: fleet.peak,
      baseline: stock,
      unit: 'MB',
      goal,
      better: 'lower',
    },
    {
      figure: 'difference, idle (with Fleetdeck - stock app alone)',
      value: fleet.idle - stock,
      unit: 'MB',
    },
    {
      figure: `difference during the run (peak - stock app alone)`,
      value: fleet.peak - stock,
      unit: 'MB',
    },
  ];
}
