// Fleet overview first paint: the Fleet page over 10,000 clusters in Chromium,
// from navigation start until the first frame that shows the overview's bars,
// against the stock catalog index page listing the same 10,000 clusters until
// the first frame with its table rows, in the same run, browser and portal.
// The portal is the real one (packages/backend, the built app, the demo
// config) with the demo inventory swapped for a generated 10,000-cluster one.
// The issue's goal is absolute: the overview paints in under 1 s.
import {
  CLUSTERS,
  ENGINES,
  median,
  navigationPaint,
  ROUNDS,
  SHELL,
  withSignedInPortal,
} from './fleet/portal.mjs';

export const name =
  'fleet: overview first paint over 10,000 clusters (Chromium)';

const GOAL_MS = 1000;

/**
 * Milliseconds from navigation start to the first frame in which `selector`
 * matches: a MutationObserver notes the first match, the next animation
 * frame is when it is painted. Also when the app's shell (SHELL) was first
 * painted: what any page of the app pays before its own work (bundle,
 * config, sign-in refresh).
 */
async function firstPaint(page, url, selector) {
  await page.addInitScript(
    ([sel, shell]) => {
      const watch = () => {
        const seen = {};
        const done = () => {
          for (const [key, s] of [
            ['__shellPaint', shell],
            ['__firstPaint', sel],
          ]) {
            if (seen[key] || !document.querySelector(s)) continue;
            seen[key] = true;
            requestAnimationFrame(() => {
              window[key] = performance.now();
            });
          }
          return seen.__firstPaint && seen.__shellPaint;
        };
        if (done()) return;
        const observer = new MutationObserver(() => {
          if (done()) observer.disconnect();
        });
        observer.observe(document, { childList: true, subtree: true });
      };
      if (document.readyState === 'loading')
        document.addEventListener('DOMContentLoaded', watch);
      else watch();
    },
    [selector, SHELL],
  );
  await page.goto(url);
  await page.waitForFunction(() => window.__firstPaint !== undefined, null, {
    timeout: 60_000,
  });
  return page.evaluate(() => ({
    paint: window.__firstPaint,
    shell: window.__shellPaint ?? window.__firstPaint,
  }));
}

/**
 * The catalog requests of one in-app navigation to `path`, from the browser's
 * resource timings: when each started and ended, relative to the navigation,
 * and when `selector` was first painted. Where the time goes.
 */
async function requestTimeline(page, path, selector) {
  const t0 = await page.evaluate(() => {
    performance.clearResourceTimings();
    return performance.now();
  });
  const ms = await navigationPaint(page, path, selector);
  await page.waitForTimeout(3000);
  const requests = await page.evaluate(
    since =>
      performance
        .getEntriesByType('resource')
        .filter(e => e.name.includes('/api/') && e.startTime >= since)
        .map(e => ({
          url: decodeURIComponent(e.name.replace(/^.*?\/api\//, '')),
          start: e.startTime - since,
          end: e.responseEnd - since,
        })),
    t0,
  );
  return { paint: ms, requests };
}

/**
 * The Fleet page's catalog requests over HTTP, each alone (median of
 * `rounds`), then fired together as the page fires them, the overview's in
 * one round (the engine-version facet) and, for comparison, in the two rounds
 * it replaced (engines, then one version facet per engine): where the time
 * goes on the server, which answers them one at a time (SQLite).
 */
async function apiProfile(url, rounds, log) {
  const { token } = (
    await (
      await fetch(`${url}/api/auth/guest/refresh`, { method: 'POST' })
    ).json()
  ).backstageIdentity;
  const get = async path => {
    const res = await fetch(url + path, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`${res.status} ${path}`);
    await res.json();
    return performance.now();
  };
  const facets = (names, filter = 'kind=cluster') =>
    `/api/catalog/entity-facets?${names
      .map(f => `facet=${encodeURIComponent(f)}`)
      .join('&')}&filter=${encodeURIComponent(filter)}`;
  const inventories = `/api/catalog/entities?filter=${encodeURIComponent(
    'kind=location,spec.type=fleet-inventory',
  )}&fields=metadata.name,metadata.annotations,status`;
  const table = `/api/catalog/entities/by-query?filter=kind=cluster&fields=kind,metadata.name,metadata.namespace,metadata.title,spec.engine,spec.version,spec.environment,spec.owner,spec.region,spec.nodes&limit=50&orderField=metadata.name,asc`;
  const requests = {
    'overview, one round (3 facets)': facets([
      'spec.engine',
      'spec.environment',
      'metadata.annotations.fleetdeck.io/engine-version',
    ]),
    'overview before (2 facets)': facets(['spec.engine', 'spec.environment']),
    "one engine's versions (before)": facets(
      ['spec.version'],
      'kind=cluster,spec.engine=kafka',
    ),
    'table filters (6 facets)': facets([
      'spec.engine',
      'spec.version',
      'spec.environment',
      'relations.ownedBy',
      'spec.region',
      'metadata.labels.fleetdeck.io/node-count',
    ]),
    'table page with totalItems': table,
    'table page, totalItems=exclude': `${table}&totalItems=exclude`,
    'inventory banners': inventories,
  };
  for (const [label, path] of Object.entries(requests)) {
    const ms = [];
    for (let i = 0; i <= rounds; i++) {
      const t0 = performance.now();
      const end = await get(path);
      if (i > 0) ms.push(end - t0);
    }
    log(`API alone: ${label}: median ${Math.round(median(ms))} ms`);
  }
  const load = async twoRounds => {
    const t0 = performance.now();
    const others = [get(inventories), get(inventories)];
    const overview = twoRounds
      ? get(requests['overview before (2 facets)']).then(() =>
          Promise.all(
            ENGINES.map(e =>
              get(facets(['spec.version'], `kind=cluster,spec.engine=${e}`)),
            ),
          ).then(ends => Math.max(...ends)),
        )
      : get(requests['overview, one round (3 facets)']);
    others.push(get(requests['table filters (6 facets)']), get(table));
    const done = (await overview) - t0;
    await Promise.all(others);
    return { overview: done, all: performance.now() - t0 };
  };
  for (const twoRounds of [false, true]) {
    const runs = [];
    for (let i = 0; i <= rounds; i++) {
      const r = await load(twoRounds);
      if (i > 0) runs.push(r);
    }
    log(
      `API, the page's requests together, overview in ${
        twoRounds ? 'two rounds (before)' : 'one round'
      }: overview answered at median ${Math.round(
        median(runs.map(r => r.overview)),
      )} ms, all at ${Math.round(median(runs.map(r => r.all)))} ms`,
    );
  }
}

export async function run({ log }) {
  return withSignedInPortal(log, async ({ portal, context }) => {
    const pages = {
      // The overview's engine cards with their bars.
      overview: [
        `${portal.url}/fleet`,
        '[data-testid="fleet-overview"] [aria-label$=" versions"] button',
      ],
      // The stock catalog index (the app's landing page), listing clusters.
      catalog: [
        `${portal.url}/?filters%5Bkind%5D=cluster&filters%5Buser%5D=all`,
        'table tbody tr a[href*="/catalog/default/cluster/"]',
      ],
    };
    const times = { overview: [], catalog: [] };
    const shells = { overview: [], catalog: [] };
    // A warm-up of each (bundle in the browser cache, backend JIT), then
    // alternating rounds so both see the same machine load.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const key of Object.keys(pages)) {
        const page = await context.newPage();
        const { paint, shell } = await firstPaint(page, ...pages[key]);
        await page.close();
        if (round > 0) {
          times[key].push(paint);
          shells[key].push(shell);
        }
      }
    }
    // In-app navigation between the two, as a sidebar click: warm-up, rounds.
    const nav = { overview: [], catalog: [] };
    const app = await context.newPage();
    await app.goto(pages.catalog[0]);
    await app.waitForSelector(pages.catalog[1]);
    for (let round = 0; round <= ROUNDS; round++) {
      for (const key of ['overview', 'catalog']) {
        const path =
          new URL(pages[key][0]).pathname + new URL(pages[key][0]).search;
        const ms = await navigationPaint(app, path, pages[key][1]);
        if (round > 0) nav[key].push(ms);
      }
    }
    // Where the time goes: the requests of one more navigation to each.
    for (const key of ['overview', 'catalog']) {
      const path =
        new URL(pages[key][0]).pathname + new URL(pages[key][0]).search;
      const { paint, requests } = await requestTimeline(
        app,
        path,
        pages[key][1],
      );
      log(
        `in-app navigation to ${key}: first paint at ${Math.round(paint)} ms`,
      );
      for (const r of requests)
        log(
          `  ${String(Math.round(r.start)).padStart(5)}–${String(
            Math.round(r.end),
          ).padStart(5)} ms  ${r.url.slice(0, 160)}`,
        );
    }
    await app.close();
    log(
      `in-app navigation, overview ms: ${nav.overview
        .map(Math.round)
        .join(', ')}`,
    );
    log(
      `in-app navigation, catalog ms: ${nav.catalog
        .map(Math.round)
        .join(', ')}`,
    );
    await apiProfile(portal.url, ROUNDS, log).catch(e =>
      log(`API profile failed: ${e}`),
    );
    const overview = median(times.overview);
    const catalog = median(times.catalog);
    log(
      `overview first paint, ms: ${times.overview.map(Math.round).join(', ')}`,
    );
    log(
      `catalog index first rows, ms: ${times.catalog
        .map(Math.round)
        .join(', ')}`,
    );
    for (const key of Object.keys(pages))
      log(
        `new tab, ${key}: app shell (sidebar) painted at median ${Math.round(
          median(shells[key]),
        )} ms, the page's own first paint ${Math.round(
          median(times[key].map((t, i) => t - shells[key][i])),
        )} ms after it`,
      );
    log(
      `overview median ${Math.round(overview)} ms: ${
        overview < GOAL_MS ? 'meets' : 'MISSES'
      } the issue's goal of under ${GOAL_MS} ms`,
    );
    return [
      {
        figure: `Fleet overview first paint, ${CLUSTERS} clusters (median of ${ROUNDS}; baseline: stock catalog index first rows)`,
        value: overview,
        baseline: catalog,
        unit: 'ms',
        better: 'lower',
      },
      {
        figure: `in-app navigation to the Fleet overview, first paint (baseline: to the stock catalog index listing clusters)`,
        value: median(nav.overview),
        baseline: median(nav.catalog),
        unit: 'ms',
        better: 'lower',
      },
      {
        figure: `in-app navigation to the Fleet overview against the issue's ${GOAL_MS} ms`,
        value: median(nav.overview),
        baseline: GOAL_MS,
        unit: 'ms',
        goal: 1,
        better: 'lower',
      },
      {
        figure: `Fleet overview first paint (new tab) against the issue's ${GOAL_MS} ms`,
        value: overview,
        baseline: GOAL_MS,
        unit: 'ms',
        goal: 1,
        better: 'lower',
      },
    ];
  });
}
