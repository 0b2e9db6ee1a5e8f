import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import knexFactory from 'knex';

const repo = resolve(__dirname, '../../../..');

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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise(r => server.close(r));
  return port;
}

/**
 * Real backends (createBackend() with the catalog and this module, as
 * packages/backend resolves them) in child processes, one at a time, against
 * one database that outlives them: a SQLite file or a fresh PostgreSQL
 * database. For tests that kill the backend with SIGKILL and start it again.
 */
export class BackendProcesses {
  static async create(
    client: 'pg' | 'better-sqlite3',
  ): Promise<BackendProcesses> {
    // On tmpfs where there is one: the SQLite file survives the killed
    // process as it would on disk (a kill loses nothing the OS was handed),
    // without an fsync per transaction on a shared, busy disk.
    const dir = mkdtempSync(
      join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'fleet-kill-'),
    );
    const prefix = `fleetkill_${randomBytes(4).toString('hex')}_`;
    let database: Record<string, unknown>;
    if (client === 'pg') {
      const connection = postgresConnectionString();
      if (!connection) throw new Error('No PostgreSQL configured');
      database = { client: 'pg', connection, prefix };
    } else {
      database = { client: 'better-sqlite3', connection: { directory: dir } };
    }
    const script = join(dir, 'backend.cjs');
    writeFileSync(
      script,
      `const { createRequire } = require('node:module');
const r = createRequire(${JSON.stringify(
        join(repo, 'packages/backend/package.json'),
      )});
const { createBackend } = r('@backstage/backend-defaults');
const backend = createBackend();
backend.add(r('@backstage/plugin-catalog-backend'));
backend.add(r('@fleetdeck/plugin-catalog-backend-module-fleet'));
backend.start();
`,
    );
    return new BackendProcesses(dir, client, prefix, database, script);
  }

  private child?: ChildProcess;
  private starts = 0;
  baseUrl = '';

  private constructor(
    readonly dir: string,
    readonly client: string,
    private readonly prefix: string,
    private readonly database: Record<string, unknown>,
    private readonly script: string,
  ) {}

  /** Starts a backend with this catalog config; resolves once it answers HTTP. */
  async start(catalog: Record<string, unknown>): Promise<ChildProcess> {
    const port = await freePort();
    this.starts += 1;
    const name = `backend-${this.starts}`;
    const config = join(this.dir, `${name}.json`);
    this.baseUrl = `http://127.0.0.1:${port}`;
    writeFileSync(
      config,
      JSON.stringify({
        app: { baseUrl: this.baseUrl },
        backend: {
          baseUrl: this.baseUrl,
          listen: { port, host: '127.0.0.1' },
          auth: { dangerouslyDisableDefaultAuthPolicy: true },
          database: this.database,
        },
        catalog,
      }),
    );
    const logFile = join(this.dir, `${name}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        '-r',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        this.script,
        '--config',
        config,
      ],
      {
        cwd: join(repo, 'packages/backend'),
        env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
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
          `${this.baseUrl}/.backstage/health/v1/liveness`,
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

  /** GET on the running backend's API, as JSON. */
  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  /** All log lines of every backend started so far. */
  logs(): string {
    let out = '';
    for (let i = 1; i <= this.starts; i++) {
      try {
        out += readFileSync(join(this.dir, `backend-${i}.log`), 'utf8');
      } catch {
        // not started
      }
    }
    return out;
  }

  async close() {
    await this.kill();
    if (this.client === 'pg') {
      const admin = knexFactory({
        client: 'pg',
        connection: postgresConnectionString(),
      });
      await admin.raw(
        `DROP DATABASE IF EXISTS ${this.prefix}catalog WITH (FORCE)`,
      );
      await admin.destroy();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
