// Helpers for the runbooks workloads: runs a TypeScript bench script with the
// Backstage CLI's transpiler in a child process and parses its JSON line.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

export function runScript(script, args, { timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--expose-gc',
        '-r',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        join(here, script),
        ...args.map(String),
      ],
      {
        cwd: root,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, LOG_LEVEL: 'error' },
      },
      (error, stdout, stderr) => {
        const line = stdout
          .trim()
          .split('\n')
          .filter(l => l.startsWith('{'))
          .pop();
        if (error || !line) {
          reject(
            new Error(
              `${script} ${args.join(' ')} failed: ${
                error?.message ?? ''
              }\n${stderr.slice(-2000)}`,
            ),
          );
          return;
        }
        resolve(JSON.parse(line));
      },
    );
  });
}

/** Databases to measure on: SQLite always, PostgreSQL when it answers. */
export async function databases(log) {
  const list = ['sqlite'];
  try {
    const { default: knex } = await import('knex');
    const db = knex({
      client: 'pg',
      connection:
        process.env.RUNBOOKS_BENCH_PG ??
        'postgresql://postgres@127.0.0.1:5432/postgres',
    });
    await db.raw('select 1');
    await db.destroy();
    list.push('pg');
  } catch (e) {
    log(`PostgreSQL not reachable (${e.message}): SQLite only`);
  }
  return list;
}
