// The Fleet benchmarks' portal: the real one (packages/backend, the built
// app, the demo config) with the demo inventory swapped for a generated one of
// FLEET_BENCH_CLUSTERS clusters (10,000 by default), and Chromium signed in to
// it. Shared by fleet-overview-paint and fleet-page.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from '../../lib.mjs';

const require = createRequire(import.meta.url);

export const CLUSTERS = Number(process.env.FLEET_BENCH_CLUSTERS ?? 10_000);
export const ROUNDS = Number(process.env.FLEET_BENCH_ROUNDS ?? 5);
export const ENGINES = [
  'kafka',
  'mongodb',
  'postgresql',
  'kubernetes',
  'redis',
];
const ENVS = ['dev', 'staging', 'production'];
const VERSIONS = {
  kafka: ['3.5.1', '3.6.2', '3.7.1', '3.8.0'],
  mongodb: ['5.0.26', '6.0.14', '7.0.8', '8.0.1'],
  postgresql: ['14.12', '15.7', '16.3'],
  kubernetes: ['1.28.11', '1.29.6', '1.30.2', '1.31.0'],
  redis: ['6.2.14', '7.2.4'],
};

/**
 * The clusters' owners, spread evenly and independently of engine and
 * environment, so an owner filter keeps a third of the clusters.
 */
export const OWNERS = ['sre', 'platform-kafka', 'platform-mongodb'];

/** An Ansible inventory of CLUSTERS clusters, one group each. */
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
      const versions = VERSIONS[engine];
      lines.push(
        `        ${engine}_c${i}:`,
        '          hosts:',
        `            ${engine}-c${i}-[1:3].${env}.bench.example:`,
        '          vars:',
        '            fleetdeck_cluster: true',
        `            fleetdeck_version: "${versions[i % versions.length]}"`,
        `            fleetdeck_environment: ${env}`,
        `            fleetdeck_region: eu-central-${1 + (i % 2)}`,
        `            fleetdeck_owner: group:default/${
          OWNERS[Math.floor(i / 15) % OWNERS.length]
        }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Runs a command, resolving with its output; rejects with its tail. */
function sh(cmd, args, options = {}) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', d => (out = (out + d).slice(-8000)));
    child.stderr.on('data', d => (out = (out + d).slice(-8000)));
    child.on('exit', code =>
      code === 0
        ? ok(out)
        : fail(new Error(`${cmd} ${args.join(' ')}: ${out}`)),
    );
  });
}

/**
 * Builds the app and holds the build lock until released, so no other
 * build (scripts/e2e.sh in a shared checkout) swaps the bundle mid-run.
 */
export async function buildAndLockApp(log) {
  const child = spawn(
    'flock',
    [
      '/tmp/fleetdeck-app-build.lock',
      'bash',
      '-c',
      'cd packages/app && npx backstage-cli package build >/dev/null 2>&1 && echo built && read',
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const started = performance.now();
  await new Promise((ok, fail) => {
    child.stdout.on('data', d => String(d).includes('built') && ok());
    child.on('exit', code => fail(new Error(`app build failed (${code})`)));
  });
  log(`app built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return () => child.stdin.end();
}

export async function startPortal(dir, log) {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  writeFileSync(join(dir, 'hosts.yml'), inventoryYaml());
  writeFileSync(
    join(dir, 'bench.yaml'),
    JSON.stringify({
      app: { baseUrl: url },
      backend: {
        baseUrl: url,
        listen: { port, host: '127.0.0.1' },
        cors: { origin: url },
      },
      catalog: {
        providers: {
          fleet: {
            ansible: {
              demo: { path: join(dir, 'hosts.yml'), maxShrinkRatio: 1 },
            },
          },
        },
      },
    }),
  );
  const env = {
    ...process.env,
    FLEETDECK_DATA_DIR: join(dir, 'data'),
    FLEETDECK_DEMO_DIR: join(dir, 'demo'),
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
  };
  await sh('bash', ['scripts/prepare-demo.sh'], { cwd: repoRoot, env });
  const child = spawn(
    process.execPath,
    [
      '-r',
      '@backstage/cli/config/nodeTransform.cjs',
      'src/index.ts',
      '--config',
      '../../app-config.yaml',
      '--config',
      join(dir, 'bench.yaml'),
    ],
    {
      cwd: join(repoRoot, 'packages/backend'),
      env: { ...env, NODE_OPTIONS: '--max-old-space-size=4096' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', d => (stderr = (stderr + d).slice(-4000)));
  const started = performance.now();
  let token;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portal exited: ${stderr}`);
    if (performance.now() - started > 3_600_000)
      throw new Error(
        `not all ${CLUSTERS} clusters in the catalog after 3600 s`,
      );
    try {
      token ??= (
        await (
          await fetch(`${url}/api/auth/guest/refresh`, { method: 'POST' })
        ).json()
      ).backstageIdentity.token;
      const res = await fetch(
        `${url}/api/catalog/entity-facets?facet=spec.engine&filter=kind=cluster`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      const counts = (await res.json()).facets['spec.engine'] ?? [];
      if (counts.reduce((n, f) => n + f.count, 0) >= CLUSTERS) break;
    } catch {
      // not up yet, or the guest token expired during a long ingestion
      token = undefined;
    }
    await new Promise(r => setTimeout(r, 2000));
  }
  log(
    `portal on ${url} with ${CLUSTERS} clusters in the catalog after ${(
      (performance.now() - started) /
      1000
    ).toFixed(0)} s`,
  );
  return { url, stop: () => child.kill('SIGKILL') };
}

/** The app's shell: the sidebar, drawn once the app has booted and signed in. */
export const SHELL = 'nav[aria-label="sidebar nav"]';

/**
 * Milliseconds from an in-app navigation (the router's history, as a sidebar
 * click does) until the first frame with a new match of `selector`: the app is
 * loaded, so this is the page's own work, its requests included.
 */
export async function navigationPaint(page, path, selector) {
  return page.evaluate(
    ([to, sel]) =>
      new Promise(resolve => {
        document
          .querySelectorAll(sel)
          .forEach(el => el.setAttribute('data-bench-stale', ''));
        const fresh = `${sel}:not([data-bench-stale])`;
        const t0 = performance.now();
        const observer = new MutationObserver(() => {
          if (!document.querySelector(fresh)) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        observer.observe(document, { childList: true, subtree: true });
        window.history.pushState({}, '', to);
        window.dispatchEvent(new PopStateEvent('popstate'));
      }),
    [path, selector],
  );
}

export const median = xs =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Builds the app, starts the portal (or takes the one at FLEET_BENCH_URL)
 * and a Chromium signed in to it as the guest, runs `fn({ portal, browser, context })`, then tears it all down.
 */
export async function withSignedInPortal(log, fn) {
  const { chromium } = require('playwright');
  const dir = mkdtempSync(join(tmpdir(), 'fleet-paint-'));
  // FLEET_BENCH_URL: a portal already running (e.g. for profiling), as is
  const reuse = process.env.FLEET_BENCH_URL;
  const release = reuse ? () => {} : await buildAndLockApp(log);
  let portal;
  let browser;
  try {
    portal = reuse
      ? { url: reuse.replace(/\/$/, ''), stop: () => {} }
      : await startPortal(dir, log);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    const signIn = await context.newPage();
    await signIn.goto(portal.url);
    await signIn.getByRole('button', { name: 'Enter' }).click();
    await signIn
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true })
      .waitFor();
    await signIn.close();
    return await fn({ portal, browser, context });
  } finally {
    await browser?.close();
    portal?.stop();
    release();
    rmSync(dir, { recursive: true, force: true });
  }
}
