import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import {
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import knexFactory, { Knex } from 'knex';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import yaml from 'yaml';
import { DatabaseRunStore } from '../database/DatabaseRunStore';

/** The PostgreSQL server the database tests use, if one is configured. */
export function postgresConnectionString(): string | undefined {
  const key = Object.keys(process.env)
    .filter(k =>
      /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(k),
    )
    .sort()
    .pop();
  return key ? process.env[key] : undefined;
}

/** Whether this runs in a CI job (`CI` set and not false, or a known CI's own variable). */
export function inContinuousIntegration(env = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') return true;
  return [
    'GITHUB_ACTIONS',
    'GITLAB_CI',
    'BUILDKITE',
    'CIRCLECI',
    'JENKINS_URL',
    'TF_BUILD',
  ].some(key => !!env[key]);
}

/**
 * Why tests that need PostgreSQL cannot run, if they cannot: no
 * PostgreSQL connection string. `fail` in CI (`.ci/run` sets one and
 * `CI=true`): a CI job must not pass by skipping them; on a workstation
 * they are skipped with the message.
 */
export function missingPostgres():
  | { message: string; fail: boolean }
  | undefined {
  if (postgresConnectionString()) return undefined;
  const fail = inContinuousIntegration();
  return {
    fail,
    message: `${
      fail ? 'CI is set, but' : 'Skipped:'
    } no PostgreSQL is configured (BACKSTAGE_TEST_DATABASE_POSTGRES<version>_CONNECTION_STRING, as .ci/run sets it)`,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise(r => server.close(r));
  return port;
}

/** A journal line written by the counting executor in workerProcess.ts. */
export interface JournalEntry {
  pid: number;
  type: 'ready' | 'start' | 'effect' | 'end';
  key?: string;
  at?: number;
}

/**
 * Runs backend processes (workerProcess.ts) against one database: on
 * PostgreSQL a fresh database, on SQLite a file in a temp directory.
 */
export class ProcessHarness {
  static async create(
    client: 'pg' | 'better-sqlite3',
  ): Promise<ProcessHarness> {
    const dir = mkdtempSync(join(tmpdir(), 'runbooks-procs-'));
    const prefix = `rbproc_${randomBytes(4).toString('hex')}_`;
    let knex: Knex;
    let database: Record<string, unknown>;
    if (client === 'pg') {
      const url = postgresConnectionString();
      if (!url) throw new Error('No PostgreSQL configured');
      const admin = knexFactory({ client: 'pg', connection: url });
      await admin.raw(`CREATE DATABASE ${prefix}runbooks`);
      await admin.destroy();
      const u = new URL(url);
      u.pathname = `/${prefix}runbooks`;
      knex = knexFactory({
        client: 'pg',
        connection: u.toString(),
        pool: { min: 0, max: 5 },
      });
      database = { client: 'pg', connection: url, prefix };
    } else {
      knex = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: join(dir, 'runbooks.sqlite') },
        useNullAsDefault: true,
      });
      database = { client: 'better-sqlite3', connection: { directory: dir } };
    }
    const store = await DatabaseRunStore.fromKnex(knex);
    return new ProcessHarness(dir, client, prefix, knex, store, database);
  }

  private readonly children = new Set<ChildProcess>();
  readonly journal: string;

  private constructor(
    readonly dir: string,
    readonly client: string,
    private readonly prefix: string,
    readonly knex: Knex,
    readonly store: DatabaseRunStore,
    private readonly database: Record<string, unknown>,
  ) {
    this.journal = join(dir, 'journal.ndjson');
  }

  /** Starts one backend process; resolves once its backend has started. */
  async start(options: {
    name: string;
    stepMs: number;
    worker?: Record<string, unknown>;
    /** More `runbooks` config, e.g. an executor's (`aap`). */
    runbooks?: Record<string, unknown>;
  }) {
    const port = await freePort();
    const configPath = join(this.dir, `${options.name}.yaml`);
    writeFileSync(
      configPath,
      yaml.stringify({
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { port, host: '127.0.0.1' },
          database: this.database,
        },
        // where the test runbooks say they come from (engine/testUtils.ts):
        // a catalog location in app-config, so the workers trust them
        catalog: {
          locations: [
            {
              type: 'file',
              target: '/srv/fleetdeck/runbooks/locations.yaml',
            },
          ],
        },
        runbooks: {
          worker: {
            pollInterval: '100ms',
            heartbeatInterval: '250ms',
            staleAfter: '2s',
            maxParallel: 50,
            ...options.worker,
          },
          schedules: { enabled: false },
          ...options.runbooks,
        },
      }),
    );
    const log = openSync(join(this.dir, `${options.name}.log`), 'a');
    const child = spawn(
      process.execPath,
      [
        '-r',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        resolve(__dirname, 'workerProcess.ts'),
        '--config',
        configPath,
      ],
      {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          RUNBOOKS_TEST_JOURNAL: this.journal,
          RUNBOOKS_TEST_STEP_MS: String(options.stepMs),
        },
        stdio: ['ignore', log, log],
      },
    );
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    const deadline = Date.now() + 90_000;
    while (
      !this.entries().some(e => e.type === 'ready' && e.pid === child.pid)
    ) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `${options.name} did not start: ${readFileSync(
            join(this.dir, `${options.name}.log`),
            'utf8',
          ).slice(-3000)}`,
        );
      }
      await new Promise(r => setTimeout(r, 200));
    }
    return child;
  }

  entries(): JournalEntry[] {
    if (!existsSync(this.journal)) return [];
    return readFileSync(this.journal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l));
  }

  async waitFor(check: () => Promise<boolean>, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise(r => setTimeout(r, 100));
    }
  }

  async close() {
    for (const child of this.children) child.kill('SIGKILL');
    await this.knex.destroy();
    if (this.client === 'pg') {
      const admin = knexFactory({
        client: 'pg',
        connection: postgresConnectionString(),
      });
      await admin.raw(
        `DROP DATABASE IF EXISTS ${this.prefix}runbooks WITH (FORCE)`,
      );
      await admin.destroy();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
