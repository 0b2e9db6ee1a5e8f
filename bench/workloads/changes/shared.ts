/*
 * Shared by the changes bench scripts: a quiet logger, a bounded parallel
 * map, an async child process runner, a profile of every process this
 * process spawns (git by subcommand, the fake server's `git http-backend` by
 * request), and the CPU time of this process tree.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import childProcess, { ChildProcess, spawn } from 'child_process';
import { readFileSync } from 'fs';

/** Warnings and errors to stderr, nothing else. */
export const quietLogger: LoggerService = {
  error: (m: string) => console.error(m),
  warn: (m: string) => console.error(m),
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};

/** `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/**
 * Runs a command asynchronously (never spawnSync: a fake server answering
 * git may be in this process); resolves with its output, rejects on a
 * non-zero exit unless `okCodes` has it.
 */
export function run(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    input?: string | Buffer;
    okCodes?: number[];
  } = {},
): Promise<{ stdout: Buffer; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', code => {
      const result = {
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? -1,
      };
      if (code === 0 || (options.okCodes ?? []).includes(code ?? -1)) {
        resolve(result);
      } else {
        reject(
          new Error(
            `${command} ${args.slice(0, 3).join(' ')} exited with ${code}: ${
              result.stderr
            }`,
          ),
        );
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Processes spawned while profiling, by kind: how many and their summed wall time. */
export type SpawnProfile = Record<string, { n: number; ms: number }>;

const profile: SpawnProfile = {};
let profiling = false;
let wrapped = false;

/** What a spawn is: `git <subcommand>`, `http-backend <request>`, or the command. */
function kindOf(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv | undefined,
): string {
  if (command !== 'git') return command;
  const sub = args.find(a => !a.startsWith('-')) ?? '?';
  if (sub !== 'http-backend') return `git ${sub}`;
  const path = env?.PATH_INFO ?? '';
  const query = env?.QUERY_STRING ?? '';
  return `server: http-backend ${path.replace(/^.*\.git\//, '')}${
    query ? `?${query}` : ''
  }`;
}

type SpawnFn = (
  command: string,
  args?: readonly string[],
  options?: childProcess.SpawnOptions,
) => ChildProcess;

/**
 * Wraps `child_process.spawn` (which runGit, gitGrep and the fake server's
 * git backend call through the module object) to count every process and
 * its wall time by kind, from now until {@link stopProfile}.
 */
export function startProfile() {
  const module = childProcess as unknown as { spawn: SpawnFn };
  if (!wrapped) {
    wrapped = true;
    const original = module.spawn;
    module.spawn = (command, args = [], options = {}) => {
      const child = original(command, args, options);
      if (!profiling) return child;
      const kind = kindOf(command, args, options.env);
      const started = performance.now();
      child.on('close', () => {
        const entry = (profile[kind] ??= { n: 0, ms: 0 });
        entry.n++;
        entry.ms += performance.now() - started;
      });
      return child;
    };
  }
  profiling = true;
  for (const k of Object.keys(profile)) delete profile[k];
}

export function stopProfile(): SpawnProfile {
  profiling = false;
  const out: SpawnProfile = {};
  for (const [k, v] of Object.entries(profile)) {
    out[k] = { n: v.n, ms: Math.round(v.ms) };
  }
  return out;
}

/**
 * CPU time (user + system) of this process and of every child it has waited
 * for (git, bash, the fake server's backends), in ms: this side's own work,
 * not that of other processes on the machine.
 */
export function treeCpuMs(): number {
  // fields after the command name: state is 3, utime 14, stime 15, cutime 16, cstime 17
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14]
    .map(i => Number(fields[i]))
    .reduce((a, b) => a + b, 0);
  return ticks * 10; // USER_HZ is 100 on Linux
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};
