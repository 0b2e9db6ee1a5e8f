/*
 * Shared by the runbooks bench scripts: a fresh database for one process, a
 * logger that prints only warnings and errors, and the Cluster targets.
 */
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import knexFactory, { Knex } from 'knex';
import { tmpdir } from 'os';
import { join } from 'path';

/** SQLite in a temporary file, or a new PostgreSQL database (RUNBOOKS_BENCH_PG). */
export async function database(
  client: string,
): Promise<{ knex: Knex; cleanup(): Promise<void> }> {
  if (client === 'pg') {
    const url =
      process.env.RUNBOOKS_BENCH_PG ??
      'postgresql://postgres@127.0.0.1:5432/postgres';
    const name = `rbbench_${randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: url });
    await admin.raw(`CREATE DATABASE ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const knex = knexFactory({
      client: 'pg',
      connection: u.toString(),
      pool: { min: 1, max: 10 },
    });
    return {
      knex,
      async cleanup() {
        await knex.destroy();
        await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.destroy();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rbbench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, 'runbooks.sqlite') },
    useNullAsDefault: true,
  });
  return {
    knex,
    async cleanup() {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Warnings and errors to stderr, nothing else. */
export const quietLogger = {
  error: (m: string) => console.error(m),
  warn: (m: string) => console.error(m),
  info: () => {},
  debug: () => {},
  child() {
    return this;
  },
} as any;

export const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

/** `count` Cluster targets of three nodes each, none needing approval. */
export const clusterTargets = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    entityRef: `cluster:default/cluster-${i}`,
    entity: {
      apiVersion: 'fleetdeck.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: `cluster-${i}`, namespace: 'default' },
      spec: {
        engine: 'kafka',
        environment: 'staging',
        owner: 'group:default/sre',
        nodes: [`cluster-${i}-a`, `cluster-${i}-b`, `cluster-${i}-c`],
      },
    },
    needsApproval: false,
  }));
