/*
 * Shared by the changes bench scripts: a quiet logger, a bounded parallel
 * map, an async child process runner, a profile of every process this
 * process spawns (git by subcommand, the fake server's `git http-backend` by
 * request), and the CPU time of this process tree.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import type { ProgramEndMessage } from '@fleetdeck/fleetdeck-node';
import childProcess, { ChildProcess, spawn } from 'child_process';
import { subscribe } from 'diagnostics_channel';
import { readdirSync, readFileSync } from 'fs';

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
  // the first argument that is neither an option nor a `-c` setting
  const sub =
    args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c') ?? '?';
  if (sub !== 'http-backend') return `git ${sub}`;
  // through runProgram the CGI variables are not published
  if (!env) return 'server: http-backend';
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

function count(kind: string, ms: number) {
  const entry = (profile[kind] ??= { n: 0, ms: 0 });
  entry.n++;
  entry.ms += ms;
}

/**
 * Counts every process and its wall time by kind, from now until
 * {@link stopProfile}: those started through runProgram's launcher (runGit,
 * the fake server's git backend) from its diagnostics channel, and those
 * started by `child_process.spawn` here (gitGrep, shell loops), by wrapping
 * it on the module object they call through.
 */
export function startProfile() {
  const module = childProcess as unknown as { spawn: SpawnFn };
  if (!wrapped) {
    wrapped = true;
    subscribe('fleetdeck:program', message => {
      const { command, args, durationMs } = message as ProgramEndMessage;
      if (profiling) count(kindOf(command, args, undefined), durationMs);
    });
    const original = module.spawn;
    module.spawn = (command, args = [], options = {}) => {
      const child = original(command, args, options);
      // runProgram's launcher: what it starts is counted above
      if (!profiling || command === process.execPath) return child;
      const kind = kindOf(command, args, options.env);
      const started = performance.now();
      child.on('close', () => count(kind, performance.now() - started));
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

/** utime + stime + cutime + cstime of a process, in ms; 0 once it is gone. */
function processCpuMs(pid: number | 'self'): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // fields after the command name: state is 3, utime 14, stime 15, cutime 16, cstime 17
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14]
    .map(i => Number(fields[i]))
    .reduce((a, b) => a + b, 0);
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * CPU time (user + system) of this process, of every child it has waited
 * for (git, bash, the fake server's backends), and of the children still
 * running with what they have waited for (runProgram's launcher and its git
 * processes), in ms: this side's own work, not that of other processes on
 * the machine.
 */
export function treeCpuMs(): number {
  const children = readdirSync('/proc/self/task').flatMap(tid =>
    readFileSync(`/proc/self/task/${tid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number),
  );
  return children.reduce(
    (sum, pid) => sum + processCpuMs(pid),
    processCpuMs('self'),
  );
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};
