import { ChildProcess, spawn } from 'child_process';
import { channel } from 'diagnostics_channel';

/** Options for {@link runProgram}. @public */
export interface RunProgramOptions {
  /** The program's working directory; this process's if unset. */
  cwd?: string;
  /** The program's whole environment; this process's if unset. */
  env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is closed after it (or at once). */
  input?: Buffer | string;
  /** The program is sent SIGTERM after this long; no limit if unset. */
  timeoutMs?: number;
  /** Aborting sends the program SIGTERM and rejects. */
  signal?: AbortSignal;
  /** The most stdout and stderr may hold together; 256 MiB if unset. */
  maxOutputBytes?: number;
}

/** How a program ended, and everything it printed. @public */
export interface ProgramResult {
  /** The exit code; null when the program was stopped by a signal. */
  code: number | null;
  /** The signal that stopped the program (a timeout's SIGTERM, say), or null. */
  signal: NodeJS.Signals | null;
  /** All the program wrote to stdout. */
  stdout: Buffer;
  /** All the program wrote to stderr. */
  stderr: Buffer;
}

/**
 * The program could not start, printed more than allowed, or was aborted;
 * a program that ran and failed resolves with its exit code instead.
 * @public
 */
export class ProgramError extends Error {
  /** Always `ProgramError`. */
  readonly name = 'ProgramError';
  constructor(
    message: string,
    /** Why no exit code could be had. */
    readonly reason: 'not-started' | 'output-too-large' | 'aborted',
  ) {
    super(message);
  }
}

interface Request {
  type: 'run';
  id: number;
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  input?: Buffer;
  timeoutMs?: number;
  maxOutputBytes: number;
}

/** Output as it comes, or how the program ended. */
type Reply =
  | { id: number; stream: 'stdout' | 'stderr'; data: Uint8Array }
  | {
      id: number;
      stream?: undefined;
      code?: number | null;
      signal?: NodeJS.Signals | null;
      /** Why the program could not start. */
      error?: string;
      overflow?: boolean;
    };

// The launcher process, as plain JavaScript for `node -e`. It starts each
// program it is asked to, passes its output on as it comes (one message per
// read: a message of megabytes crosses the IPC channel far slower than its
// pieces) and then says how the program ended. A
// launcher whose parent is gone (even by kill -9) stops its programs and
// exits: the IPC channel closes with the parent.
const LAUNCHER = `'use strict';
const { spawn } = require('child_process');
const running = new Map();
const answer = reply => { if (process.connected) process.send(reply); };
process.on('message', m => {
  if (m.type === 'kill') {
    const child = running.get(m.id);
    if (child) child.kill('SIGTERM');
    return;
  }
  let size = 0;
  let overflow = false;
  let error;
  let child;
  try {
    child = spawn(m.command, m.args, {
      cwd: m.cwd,
      env: m.env,
      stdio: [m.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      timeout: m.timeoutMs,
    });
  } catch (e) {
    answer({ id: m.id, error: String(e && e.message) });
    return;
  }
  running.set(m.id, child);
  const pass = stream => data => {
    if (overflow) return;
    size += data.length;
    if (size > m.maxOutputBytes) {
      overflow = true;
      child.kill('SIGKILL');
      return;
    }
    answer({ id: m.id, stream, data });
  };
  child.stdout.on('data', pass('stdout'));
  child.stderr.on('data', pass('stderr'));
  if (child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.from(m.input));
  }
  child.on('error', e => { error = String(e && e.message); });
  child.on('close', (code, signal) => {
    running.delete(m.id);
    answer({
      id: m.id, code, signal, overflow, error: child.pid ? undefined : error,
    });
  });
});
process.on('disconnect', () => {
  for (const child of running.values()) child.kill('SIGTERM');
  process.exit(0);
});
`;

/**
 * Published on the `fleetdeck:program` diagnostics channel for each program
 * that ends, for profiling (e.g. the benchmarks count git processes by
 * subcommand). The environment is left out: it may carry credentials.
 * @public
 */
export interface ProgramEndMessage {
  /** The program, as given to runProgram. */
  command: string;
  /** Its arguments, as given. */
  args: string[];
  /** From the request to the program's end, in milliseconds. */
  durationMs: number;
}

const programEnded = channel('fleetdeck:program');

interface Pending {
  command: string;
  args: string[];
  started: number;
  stdout: Buffer[];
  stderr: Buffer[];
  resolve(result: ProgramResult): void;
  reject(error: Error): void;
}

/**
 * Starts programs from a small launcher process of its own. Node starts a
 * child with fork(), which copies the page tables of the whole process and
 * then makes it fault on every page it writes: about 20 ms more per program
 * from a 700 MB backend than from the 40 MB launcher, measured on a 2-core
 * machine, and a backend changing hundreds of repositories runs thousands
 * of git commands.
 */
class ProgramLauncher {
  private launcher?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  run(
    command: string,
    args: string[],
    options: RunProgramOptions,
  ): Promise<ProgramResult> {
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(aborted(command));
    }
    const launcher = this.start();
    const id = this.nextId++;
    return new Promise<ProgramResult>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.idle();
        launcher.send({ type: 'kill', id }, () => undefined);
        reject(aborted(command));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        command,
        args,
        started: performance.now(),
        stdout: [],
        stderr: [],
        resolve: r => {
          done();
          resolve(r);
        },
        reject: e => {
          done();
          reject(e);
        },
      });
      this.busy();
      const request: Request = {
        type: 'run',
        id,
        command,
        args,
        cwd: options.cwd,
        // a plain copy: process.env itself cannot be serialized
        env: { ...(options.env ?? process.env) },
        input:
          options.input === undefined ? undefined : Buffer.from(options.input),
        timeoutMs: options.timeoutMs,
        maxOutputBytes: options.maxOutputBytes ?? 256 * 1024 * 1024,
      };
      try {
        launcher.send(request, error => {
          if (error) this.settle({ id, error: error.message });
        });
      } catch (e) {
        this.settle({ id, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  private start(): ChildProcess {
    if (this.launcher) return this.launcher;
    const launcher = spawn(process.execPath, ['-e', LAUNCHER], {
      // not this process's NODE_OPTIONS or variables: the launcher needs none
      env: {},
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    launcher.on('message', (reply: Reply) => this.settle(reply));
    launcher.on('error', () => undefined);
    launcher.on('exit', (code, sig) => {
      if (this.launcher === launcher) this.launcher = undefined;
      const why = `the program launcher exited (${sig ?? `code ${code}`})`;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new ProgramError(`${p.command} ${why}`, 'not-started'));
      }
    });
    this.launcher = launcher;
    this.idle();
    return launcher;
  }

  private settle(reply: Reply) {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.stream) {
      p[reply.stream].push(asBuffer(reply.data));
      return;
    }
    this.pending.delete(reply.id);
    this.idle();
    if (programEnded.hasSubscribers) {
      const message: ProgramEndMessage = {
        command: p.command,
        args: p.args,
        durationMs: performance.now() - p.started,
      };
      programEnded.publish(message);
    }
    if (reply.error !== undefined) {
      p.reject(
        new ProgramError(
          `${p.command} could not start: ${reply.error}`,
          'not-started',
        ),
      );
    } else if (reply.overflow) {
      p.reject(
        new ProgramError(
          `${p.command} printed more than allowed and was stopped`,
          'output-too-large',
        ),
      );
    } else {
      p.resolve({
        code: reply.code ?? null,
        signal: reply.signal ?? null,
        stdout: Buffer.concat(p.stdout),
        stderr: Buffer.concat(p.stderr),
      });
    }
  }

  /** The launcher keeps this process alive only while a program runs. */
  private busy() {
    this.launcher?.ref();
    (this.launcher?.channel as { ref?(): void } | undefined)?.ref?.();
  }

  private idle() {
    if (this.pending.size > 0) return;
    this.launcher?.unref();
    (this.launcher?.channel as { unref?(): void } | undefined)?.unref?.();
  }
}

function aborted(command: string) {
  return new ProgramError(`${command} was aborted`, 'aborted');
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const launcher = new ProgramLauncher();

/**
 * Runs a program with an argument array (never through a shell) and
 * resolves with its exit code and output, whatever the code. The program is
 * started by a small launcher process rather than by this one, which is far
 * cheaper for a large backend (see ProgramLauncher). Rejects with a
 * {@link ProgramError} when the program cannot start, prints more than
 * `maxOutputBytes` or is aborted.
 * @public
 */
export function runProgram(
  command: string,
  args: string[],
  options: RunProgramOptions = {},
): Promise<ProgramResult> {
  return launcher.run(command, args, options);
}
