// The Fleet page's table over 10,000 clusters in Chromium, against the stock
// catalog index page (the app's landing page, filtered to kind Cluster) over
// the same clusters, in the same run, browser and portal (see fleet/portal.mjs):
//   first rows   in-app navigation (as a sidebar click) until the first frame
//                with table rows;
//   filter       choosing an owner in the owner filter (the Fleet table's
//                owner column filter; the stock page's owner picker) until the
//                first frame showing a full page of only that owner's clusters
//                (50 rows on the Fleet page, 20 on the stock one);
//   next page    clicking Next until the first frame with the next page's rows.
// Median of FLEET_BENCH_ROUNDS (5) each, after a warm-up round; the two pages
// alternate so both see the same machine load. The issue's goal: each at most
// the stock page's time.
import { loadavg } from 'node:os';
import {
  CLUSTERS,
  median,
  OWNERS,
  ROUNDS,
  withSignedInPortal,
} from './fleet/portal.mjs';

export const name = `fleet: Fleet page table over ${CLUSTERS.toLocaleString(
  'en-US',
)} clusters vs the stock catalog index (Chromium)`;

/** The owner the filter figure picks: a third of the clusters. */
const OWNER = OWNERS[1];
/** Nothing to render: where each in-app navigation starts from. */
const BLANK = '/fleet-bench-blank';

export const PAGES = {
  fleet: {
    title: 'Fleet page',
    path: '/fleet',
    table: 'table[aria-label="Clusters"]',
    pageSize: 50,
    openOwners: '[aria-label="Filter by owner"]',
    owner: {
      selector: '[role="listbox"] [role="option"]',
      text: `^${OWNER} \\(`,
    },
    next: { selector: 'button', text: '^Next$' },
  },
  catalog: {
    title: 'stock catalog index',
    path: '/?filters%5Bkind%5D=cluster&filters%5Buser%5D=all',
    table: 'table',
    pageSize: 20,
    openOwners: '[data-testid="owner-picker-expand"]',
    owner: {
      selector: '[data-testid="owner-picker-listbox"] [role="option"]',
      // the picker shows the group's title (examples/org.yaml)
      text: '^Platform Kafka$',
    },
    next: { selector: '[aria-label="Next Page"]' },
  },
};

/**
 * Milliseconds from `act`, run in the page (an in-app navigation to
 * `act.nav`, or a click on the element `act.click` names), until the first
 * frame in which the table shows the rows `until` asks for: cluster rows, at
 * least `minRows` of them; with `owner`, only rows of that owner; with
 * `changed`, a different first row than before. (`minRows`, a full page: the
 * stock page first shows the rows of the current page that match a new
 * filter, then the filtered page from the catalog.) A MutationObserver checks after every change; the next
 * animation frame is when it is painted.
 */
export function timeRows(page, table, act, until = {}) {
  return page.evaluate(
    ([tableSel, act, until]) =>
      new Promise((resolve, reject) => {
        const link = 'a[href*="/cluster/"]';
        const rows = () =>
          [...document.querySelectorAll(`${tableSel} tbody tr`)].filter(tr =>
            tr.querySelector(link),
          );
        const first = () =>
          rows()[0]?.querySelector(link)?.getAttribute('href');
        const before = first();
        const shown = () => {
          const rs = rows();
          if (rs.length < (until.minRows ?? 1)) return false;
          if (
            until.owner &&
            !rs.every(r => r.querySelector(`a[href$="/group/${until.owner}"]`))
          )
            return false;
          if (until.changed && first() === before) return false;
          return true;
        };
        let target;
        if (act.click) {
          const pattern = act.click.text && new RegExp(act.click.text);
          const el = [...document.querySelectorAll(act.click.selector)].find(
            e => !pattern || pattern.test(e.textContent.trim()),
          );
          if (!el) {
            reject(new Error(`nothing to click: ${JSON.stringify(act.click)}`));
            return;
          }
          target = el.closest('button') ?? el.querySelector('button') ?? el;
        }
        const timeout = setTimeout(() => {
          observer.disconnect();
          reject(
            new Error(`rows not shown after 60 s: ${JSON.stringify(until)}`),
          );
        }, 60_000);
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          observer.disconnect();
          clearTimeout(timeout);
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        observer.observe(document, {
          childList: true,
          subtree: true,
          characterData: true,
          attributes: true,
          attributeFilter: ['href'],
        });
        const t0 = performance.now();
        if (act.nav) {
          window.history.pushState({}, '', act.nav);
          window.dispatchEvent(new PopStateEvent('popstate'));
        } else {
          target.click();
        }
      }),
    [table, act, until],
  );
}

/** Waits until the page has had no request in flight for `quietMs`. */
function trackRequests(page) {
  let inflight = 0;
  let last = performance.now();
  const done = () => {
    inflight = Math.max(0, inflight - 1);
    last = performance.now();
  };
  page.on('request', () => {
    inflight++;
    last = performance.now();
  });
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return async (quietMs = 300) => {
    const started = performance.now();
    while (inflight > 0 || performance.now() - last < quietMs) {
      if (performance.now() - started > 60_000) break;
      await new Promise(r => setTimeout(r, 50));
    }
  };
}

/** The catalog requests since `since` (page clock): when each started and ended. */
const requestsSince = (page, since) =>
  page.evaluate(
    t0 =>
      performance
        .getEntriesByType('resource')
        .filter(e => e.name.includes('/api/') && e.startTime >= t0)
        .map(e => ({
          url: decodeURIComponent(e.name.replace(/^.*?\/api\//, '')),
          start: e.startTime - t0,
          end: e.responseEnd - t0,
        })),
    since,
  );

const load = () =>
  loadavg()
    .map(l => l.toFixed(2))
    .join(' ');

export async function run({ log }) {
  return withSignedInPortal(log, async ({ portal, context }) => {
    const page = await context.newPage();
    const settle = trackRequests(page);
    await page.goto(`${portal.url}${BLANK}`);
    await page.getByText('Page not found', { exact: false }).waitFor();
    await settle();
    const figures = ['first rows', 'filter', 'next page'];
    const times = Object.fromEntries(
      Object.keys(PAGES).map(k => [
        k,
        Object.fromEntries(figures.map(f => [f, []])),
      ]),
    );
    const timelines = {};
    /** Times one action and keeps its requests (the last round's are logged). */
    const timed = async (key, figure, round, act, until) => {
      const since = await page.evaluate(() => {
        performance.clearResourceTimings();
        return performance.now();
      });
      const ms = await timeRows(page, PAGES[key].table, act, until);
      await settle();
      timelines[`${key}: ${figure}`] = {
        ms,
        requests: await requestsSince(page, since),
      };
      if (round > 0) times[key][figure].push(ms);
      return ms;
    };
    const navigate = async path => {
      await page.evaluate(to => {
        window.history.pushState({}, '', to);
        window.dispatchEvent(new PopStateEvent('popstate'));
      }, path);
      await settle();
    };
    for (let round = 0; round <= ROUNDS; round++) {
      for (const key of Object.keys(PAGES)) {
        const p = PAGES[key];
        // first rows, then the next page of the unfiltered list
        await navigate(BLANK);
        const first = await timed(key, 'first rows', round, { nav: p.path });
        const next = await timed(
          key,
          'next page',
          round,
          { click: p.next },
          { changed: true, minRows: p.pageSize },
        );
        // a fresh first page, then the owner filter
        await navigate(BLANK);
        await timeRows(page, p.table, { nav: p.path });
        await settle();
        await page.click(p.openOwners);
        await page.waitForFunction(
          ({ selector, text }) =>
            [...document.querySelectorAll(selector)].some(e =>
              new RegExp(text).test(e.textContent.trim()),
            ),
          p.owner,
        );
        await settle();
        const filter = await timed(
          key,
          'filter',
          round,
          { click: p.owner },
          { owner: OWNER, minRows: p.pageSize },
        );
        await page.keyboard.press('Escape');
        log(
          `${round === 0 ? 'warm-up' : `round ${round}`}, ${
            p.title
          }: first rows ${Math.round(first)} ms, filter ${Math.round(
            filter,
          )} ms, next page ${Math.round(next)} ms (load ${load()})`,
        );
      }
    }
    // Where the time goes: the requests of the last round's actions.
    for (const [label, { ms, requests }] of Object.entries(timelines)) {
      log(`${label}: rows shown at ${Math.round(ms)} ms`);
      for (const r of requests)
        log(
          `  ${String(Math.round(r.start)).padStart(5)}–${String(
            Math.round(r.end),
          ).padStart(5)} ms  ${r.url.slice(0, 160)}`,
        );
    }
    await page.close();
    const describe = {
      'first rows': `in-app navigation until the first table rows`,
      filter: `owner filter until only that owner's rows show`,
      'next page': `Next until the next page's rows show`,
    };
    return figures.map(figure => ({
      figure: `Fleet page, ${CLUSTERS} clusters, ${
        describe[figure]
      } (median of ${ROUNDS}; baseline: stock catalog index, kind Cluster; load ${load()})`,
      value: median(times.fleet[figure]),
      baseline: median(times.catalog[figure]),
      unit: 'ms',
      goal: 1,
      better: 'lower',
    }));
  });
}
