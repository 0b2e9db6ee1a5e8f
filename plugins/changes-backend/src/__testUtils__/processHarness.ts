import { mockCredentials } from '@backstage/backend-test-utils';
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import {
  closeSync,
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
 * Why the PostgreSQL tests cannot run, if they cannot. `fail` in CI: a CI job
 * must not pass by skipping them; on a workstation they are skipped.
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

/** An answer of the backend's API. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/**
 * Runs backend processes (backendProcess.ts: catalog, permission backend with
 * the test policy, changes), one at a time, against one database that
 * outlives them: a SQLite directory or fresh PostgreSQL databases. For tests
 * that kill the backend with SIGKILL and start it again.
 */
export class ChangesBackendProcesses {
  static async create(
    client: 'pg' | 'better-sqlite3',
  ): Promise<ChangesBackendProcesses> {
    // tmpfs where there is one: a killed process loses nothing the OS was
    // handed, without an fsync per transaction on a busy disk
    const dir = mkdtempSync(
      join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'changes-procs-'),
    );
    const prefix = `chproc_${randomBytes(4).toString('hex')}_`;
    let database: Record<string, unknown>;
    if (client === 'pg') {
      const connection = postgresConnectionString();
      if (!connection) throw new Error('No PostgreSQL configured');
      database = { client: 'pg', connection, prefix };
    } else {
      database = { client: 'better-sqlite3', connection: { directory: dir } };
    }
    return new ChangesBackendProcesses(dir, client, prefix, database);
  }

  private child?: ChildProcess;
  private starts = 0;
  private changesDb?: Knex;
  baseUrl = '';

  private constructor(
    readonly dir: string,
    readonly client: 'pg' | 'better-sqlite3',
    private readonly prefix: string,
    private readonly database: Record<string, unknown>,
  ) {}

  /**
   * Starts a backend with this config next to `backend` (listen, database);
   * resolves once it is ready.
   */
  async start(options: {
    config: Record<string, unknown>;
    memberships: Record<string, string[]>;
  }): Promise<ChildProcess> {
    const port = await freePort();
    this.starts += 1;
    const name = `backend-${this.starts}`;
    const configPath = join(this.dir, `${name}.json`);
    this.baseUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      configPath,
      JSON.stringify({
        app: { baseUrl: this.baseUrl },
        backend: {
          baseUrl: this.baseUrl,
          listen: { port, host: '127.0.0.1' },
          database: this.database,
        },
        ...options.config,
      }),
    );
    const logFile = join(this.dir, `${name}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        '-r',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        resolve(__dirname, 'backendProcess.ts'),
        '--config',
        configPath,
      ],
      {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          CHANGES_TEST_MEMBERSHIPS: JSON.stringify(options.memberships),
        },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    this.child = child;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `${name} did not start: ${readFileSync(logFile, 'utf8').slice(
            -3000,
          )}`,
        );
      }
      try {
        const res = await fetch(
          `${this.baseUrl}/.backstage/health/v1/readiness`,
        );
        if (res.ok) return child;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }

  /** kill -9 the running backend and wait until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode) return;
    const gone = new Promise(r => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /** A call to the running backend's API as `user` (a mock user token). */
  async api<T>(
    method: 'GET' | 'POST',
    path: string,
    user: string,
    body?: unknown,
  ): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: mockCredentials.user.header(user),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Like {@link api}, but throws unless the status is 2xx. */
  async ok<T>(
    method: 'GET' | 'POST',
    path: string,
    user: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await this.api<T>(method, path, user, body);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(
        `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body;
  }

  /** The changes plugin's own database, as the backend left it. */
  changes(): Knex {
    if (!this.changesDb) {
      this.changesDb =
        this.client === 'pg'
          ? knexFactory({
              client: 'pg',
              connection: this.databaseUrl(`${this.prefix}changes`),
              pool: { min: 0, max: 2 },
            })
          : knexFactory({
              client: 'better-sqlite3',
              connection: { filename: join(this.dir, 'changes.sqlite') },
              useNullAsDefault: true,
            });
    }
    return this.changesDb;
  }

  /** The log of every backend started so far. */
  logs(): string {
    let out = '';
    for (let i = 1; i <= this.starts; i++) {
      const file = join(this.dir, `backend-${i}.log`);
      if (existsSync(file)) out += readFileSync(file, 'utf8');
    }
    return out;
  }

  async close() {
    await this.kill();
    await this.changesDb?.destroy();
    if (this.client === 'pg') {
      const admin = knexFactory({
        client: 'pg',
        connection: postgresConnectionString(),
      });
      const { rows } = await admin.raw(
        'SELECT datname FROM pg_database WHERE datname LIKE ?',
        [`${this.prefix}%`],
      );
      for (const { datname } of rows as { datname: string }[]) {
        await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [datname]);
      }
      await admin.destroy();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private databaseUrl(name: string): string {
    const url = new URL(postgresConnectionString()!);
    url.pathname = `/${name}`;
    return url.toString();
  }
}
