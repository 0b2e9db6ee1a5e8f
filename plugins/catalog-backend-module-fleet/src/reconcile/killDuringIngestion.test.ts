import { TestDatabases } from '@backstage/backend-test-utils';
import { runKillScenario } from '../__testUtils__/killScenario';

jest.setTimeout(20 * 60_000);

const seed = Number(
  process.env.FLEET_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31),
);
const CLUSTERS = 2000;
const KILLS = 5;
const RECONCILE_PERIOD_MS = 120_000;

// The same databases as every database test, but each backend runs in its own
// process against a database that survives it (SQLite file, PostgreSQL).
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
}).eachSupportedId();

describe.each(databases.map(([id]) => id))(
  'a backend killed during ingestion, on %s',
  databaseId => {
    it(`serves every one of ${CLUSTERS} clusters within the reconcile period after each of ${KILLS} kill -9, with matching status counts`, async () => {
      // eslint-disable-next-line no-console
      console.log(`kill scenario seed: ${seed} (FLEET_KILL_SEED=${seed})`);
      const cycles = await runKillScenario({
        client: databaseId === 'SQLITE_3' ? 'better-sqlite3' : 'pg',
        clusters: CLUSTERS,
        kills: KILLS,
        seed,
        maxKillDelayMs: 90_000,
        convergeWithinMs: RECONCILE_PERIOD_MS,
        // eslint-disable-next-line no-console
        log: m => console.log(`[${databaseId} seed ${seed}] ${m}`),
      });
      expect(cycles).toHaveLength(KILLS);
      for (const c of cycles)
        expect(c.convergedMs).toBeLessThan(RECONCILE_PERIOD_MS);
    });
  },
);
