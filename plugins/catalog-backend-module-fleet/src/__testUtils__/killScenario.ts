import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendProcesses } from './backendProcess';

const ENGINES = ['kafka', 'mongodb', 'postgresql', 'redis'];
const TEAMS = ['platform-kafka', 'platform-mongodb', 'sre'];

/** A small seeded PRNG (mulberry32), so a failing run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each generation after the first changes one slice of the clusters (a tenth). */
const SLICES = 10;

/** The generation whose version cluster `i` carries in `generation`. */
function versionOf(i: number, generation: number) {
  for (let g = generation; g >= 1; g--) if (g % SLICES === i % SLICES) return g;
  return 0;
}

/** How many clusters carry each version in `generation`. */
export function expectedVersions(clusters: number, generation: number) {
  const counts = new Map<string, number>();
  for (let i = 0; i < clusters; i++) {
    const v = `1.${versionOf(i, generation)}.0`;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/**
 * A YAML inventory of `clusters` cluster groups. Generation 0 is the first
 * ingestion; each later one changes the version of a tenth of the
 * clusters, which the catalog then processes and stitches again.
 */
export function generatedInventory(clusters: number, generation: number) {
  const lines = ['all:', '  children:'];
  for (let i = 0; i < clusters; i++) {
    const engine = ENGINES[i % ENGINES.length];
    lines.push(
      `    c${i}:`,
      '      hosts:',
      `        ${engine}-c${i}-[1:3].kill.example:`,
      '      vars:',
      '        fleetdeck_cluster: true',
      `        fleetdeck_engine: ${engine}`,
      `        fleetdeck_version: "1.${versionOf(i, generation)}.0"`,
      '        fleetdeck_environment: production',
      `        fleetdeck_owner: group:default/${TEAMS[i % TEAMS.length]}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const org = TEAMS.map(
  t =>
    `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: ${t} }\nspec: { type: team, children: [] }\n`,
).join('---\n');

/** What one kill and restart measured. */
export interface KillCycle {
  /** ms after the new inventory generation was written that the backend was killed. */
  killedAfterMs: number;
  /** ms from the restart until every cluster was served and the status counts matched. */
  convergedMs: number;
  /** How many entities the reconcile healed in this cycle (from the log). */
  healed: number;
  /** How many entities the reconcile released from a killed stitcher's claim in this cycle (from the log). */
  released: number;
}

/**
 * Ingests a generated inventory with a real backend, and `kills` times:
 * writes a new generation of the inventory (every cluster changes), kills
 * the backend with SIGKILL at a random moment of its ingestion, starts it
 * again and waits until a `kind=Cluster` query serves every cluster of that
 * generation and the provider's status entity reports the same counts.
 */
export async function runKillScenario(options: {
  client: 'pg' | 'better-sqlite3';
  clusters: number;
  kills: number;
  seed: number;
  /** Longest wait before a kill, ms (the kill comes earlier, at a random share of the ingestion). */
  maxKillDelayMs: number;
  /** How long a restarted backend may take to serve everything, ms. */
  convergeWithinMs: number;
  log: (message: string) => void;
}): Promise<KillCycle[]> {
  const { clusters, log } = options;
  const random = seededRandom(options.seed);
  const procs = await BackendProcesses.create(options.client);
  const inventory = join(procs.dir, 'hosts.yml');
  writeFileSync(join(procs.dir, 'org.yaml'), org);
  const catalog = {
    rules: [{ allow: ['Cluster', 'Location', 'Group'] }],
    locations: [{ type: 'file', target: join(procs.dir, 'org.yaml') }],
    providers: {
      fleet: {
        reconcile: {
          // often, to keep each cycle short; the timeouts are the module's
          // defaults (a refresh of 10,000 clusters on a busy machine can take
          // over a minute: cut off, it starts over at the next tick)
          schedule: {
            frequency: { seconds: 10 },
            timeout: { minutes: 1 },
            initialDelay: { seconds: 1 },
          },
        },
        ansible: {
          kill: {
            path: inventory,
            schedule: { frequency: { seconds: 30 }, timeout: { minutes: 3 } },
            ownerRecheckSeconds: 2,
          },
        },
      },
    },
  };
  const cycles: KillCycle[] = [];
  try {
    // atomically, as a deploy or git checkout replaces a file: a provider
    // reading a half-written file would see fewer clusters
    const write = (generation: number) => {
      writeFileSync(
        `${inventory}.tmp`,
        generatedInventory(clusters, generation),
      );
      renameSync(`${inventory}.tmp`, inventory);
    };
    write(0);
    await procs.start(catalog);
    await converge(procs, clusters, 0, 1_800_000);
    for (let kill = 1; kill <= options.kills; kill++) {
      const healedBefore = healedIn(procs.logs());
      const releasedBefore = releasedIn(procs.logs());
      write(kill);
      // Kill while the new generation is being ingested: once a seeded
      // random share of its changed clusters is served (or the longest wait
      // has passed), so the moment falls inside ingestion on a fast machine
      // and on a slow one alike.
      const share = 0.05 + random() * 0.85;
      const changed = Math.floor(clusters / SLICES);
      const written = Date.now();
      let before = 0;
      while (Date.now() - written < options.maxKillDelayMs) {
        try {
          before = await servedCount(procs, clusters, kill);
        } catch {
          // a busy backend may not answer every poll
        }
        if (before - (clusters - changed) >= share * changed) break;
        await new Promise(r => setTimeout(r, 200));
      }
      const killedAfterMs = Date.now() - written;
      await procs.kill();
      const restarted = Date.now();
      await procs.start(catalog);
      await converge(procs, clusters, kill, options.convergeWithinMs);
      const cycle = {
        killedAfterMs,
        convergedMs: Date.now() - restarted,
        healed: healedIn(procs.logs()) - healedBefore,
        released: releasedIn(procs.logs()) - releasedBefore,
      };
      cycles.push(cycle);
      log(
        `kill ${kill}: killed ${killedAfterMs} ms after generation ${kill} was written, aiming at ${Math.round(
          share * 100,
        )} % of its ${changed} changed clusters (${before} of ${clusters} served as written then); after the restart all ${clusters} served and counted in ${
          cycle.convergedMs
        } ms; ${cycle.healed} entities healed, ${
          cycle.released
        } released from a stopped stitcher's claim`,
      );
    }
    return cycles;
  } catch (e) {
    log(procs.logs().split('\n').slice(-60).join('\n'));
    throw e;
  } finally {
    await procs.close();
  }
}

/** How many entities the reconcile's warnings say it healed or released. */
function loggedCount(logs: string, verb: 'Healing' | 'Releasing'): number {
  let n = 0;
  for (const m of logs.matchAll(new RegExp(`${verb} (\\d+) entities`, 'g')))
    n += Number(m[1]);
  return n;
}
function healedIn(logs: string) {
  return loggedCount(logs, 'Healing');
}

function releasedIn(logs: string) {
  return loggedCount(logs, 'Releasing');
}

async function countClusters(procs: BackendProcesses) {
  const { totalItems } = await procs.get<{ totalItems: number }>(
    `/api/catalog/entities/by-query?filter=kind=cluster&limit=1&fields=metadata.name`,
  );
  return totalItems;
}

/**
 * How many clusters are served with the content of `generation`: one facet
 * query counts the served clusters of each version, where a count query per
 * version asked the backend eleven times per poll.
 */
async function servedCount(
  procs: BackendProcesses,
  clusters: number,
  generation: number,
) {
  const { facets } = await procs.get<{
    facets: Record<string, { value: string; count: number }[]>;
  }>('/api/catalog/entity-facets?facet=spec.version&filter=kind=cluster');
  const served = new Map(
    facets['spec.version'].map(({ value, count }) => [value, count]),
  );
  let n = 0;
  for (const [version, expected] of expectedVersions(clusters, generation)) {
    const got = served.get(version) ?? 0;
    if (process.env.FLEET_KILL_DEBUG) console.log(version, expected, got);
    n += Math.min(expected, got);
  }
  return n;
}

/** Waits until every cluster of `generation` is served and the status entity's counts say so. */
async function converge(
  procs: BackendProcesses,
  clusters: number,
  generation: number,
  withinMs: number,
) {
  const deadline = Date.now() + withinMs;
  let last = '';
  for (;;) {
    try {
      const total = await countClusters(procs);
      const served =
        total === clusters
          ? await servedCount(procs, clusters, generation)
          : total;
      const status = await procs.get<{
        metadata: { annotations: Record<string, string> };
      }>(
        '/api/catalog/entities/by-name/location/default/fleet-inventory-ansible-kill',
      );
      const a = status.metadata.annotations;
      const counts = [
        a['fleetdeck.io/inventory-cluster-count'],
        a['fleetdeck.io/inventory-served-count'],
        a['fleetdeck.io/inventory-healing-count'],
      ].join('/');
      last = `served ${served}, status emitted/served/healing ${counts}`;
      if (served === clusters && counts === `${clusters}/${clusters}/0`) return;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `generation ${generation}: not converged within ${withinMs} ms: ${last}`,
      );
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}
