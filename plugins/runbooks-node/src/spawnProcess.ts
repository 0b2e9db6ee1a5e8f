import { spawn } from 'child_process';

/** Options of {@link spawnProcess}. @public */
export interface SpawnProcessOptions {
  command: string;
  /** Passed as an argument vector: never through a shell. */
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  signal: AbortSignal;
  /** Called for every complete line of stdout and stderr. */
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /** Time between SIGTERM and SIGKILL when aborted. */
  killGraceMs?: number;
  /** Run as this user id (the caller must be root to switch). */
  uid?: number;
  /** Run with this group id (supplementary groups are dropped). */
  gid?: number;
}

/**
 * Runs a program without a shell, streams its output line by line, and kills
 * its whole process group when the signal aborts (cancel or timeout).
 * Resolves with the exit code; rejects with the abort reason when aborted.
 * @public
 */
export function spawnProcess(options: SpawnProcessOptions): Promise<number> {
  const { signal, onLine, killGraceMs = 3000 } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      env: options.env as NodeJS.ProcessEnv | undefined,
      shell: false,
      detached: true, // own process group, so that grandchildren die too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), killGraceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const splitter = (stream: 'stdout' | 'stderr') => {
      let buffer = '';
      return {
        push(chunk: Buffer) {
          buffer += chunk.toString('utf8');
          let index = buffer.indexOf('\n');
          while (index >= 0) {
            onLine(buffer.slice(0, index).replace(/\r$/, ''), stream);
            buffer = buffer.slice(index + 1);
            index = buffer.indexOf('\n');
          }
        },
        flush() {
          if (buffer) onLine(buffer, stream);
          buffer = '';
        },
      };
    };
    const out = splitter('stdout');
    const err = splitter('stderr');
    child.stdout!.on('data', c => out.push(c));
    child.stderr!.on('data', c => err.push(c));
    child.on('error', e => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', code => {
      out.flush();
      err.flush();
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      kill('SIGKILL'); // leftovers of the group
      if (signal.aborted) reject(signal.reason ?? new Error('aborted'));
      else resolve(code ?? 1);
    });
  });
}
