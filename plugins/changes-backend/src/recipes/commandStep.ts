import { CommandStep } from '@fleetdeck/plugin-changes-common';
import { ChildProcess, spawn } from 'child_process';
import { RecipeError } from './RecipeError';
import {
  commandPath,
  findBubblewrap,
  sandboxArgs,
  SANDBOX_HOME,
} from './sandbox';
import { StepContext } from './StepContext';

/** Output kept for the error message: the end, where failures are reported. */
const OUTPUT_TAIL_BYTES = 64 * 1024;

/** Refuses a command step in a change that does not come from a trusted source. */
export function checkCommandStep(step: number, trusted: boolean): void {
  if (!trusted) {
    throw new RecipeError(
      `step ${step}: command steps run only in changes from a trusted source`,
    );
  }
}

/**
 * Runs the step's argv (no shell) in the checkout inside the sandbox, with
 * a minimal environment (no GIT_* variables, no backend secrets), and stops
 * it at the step's time limit. Fails when it exits non-zero.
 */
export async function applyCommandStep(
  ctx: StepContext,
  command: CommandStep,
): Promise<void> {
  const bwrap = await findBubblewrap(ctx.step);
  ctx.signal?.throwIfAborted();
  const child = spawn(bwrap, sandboxArgs(ctx.root, command.command), {
    cwd: ctx.root,
    env: {
      PATH: commandPath(),
      HOME: SANDBOX_HOME,
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a time-out stops all it started.
    detached: true,
  });
  let output = Buffer.alloc(0);
  const keep = (chunk: Buffer) => {
    output = Buffer.concat([output, chunk]);
    if (output.length > OUTPUT_TAIL_BYTES) {
      output = output.subarray(output.length - OUTPUT_TAIL_BYTES);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, command.timeoutSeconds * 1000);
  const onAbort = () => killGroup(child);
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await new Promise<{
    code: number | null;
    signal: string | null;
  }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
  });

  ctx.signal?.throwIfAborted();
  const name = command.command[0];
  const printed = output.toString('utf8').trim();
  const tail = printed ? `:\n${printed}` : '';
  if (timedOut) {
    throw new RecipeError(
      `step ${ctx.step}: the command ${name} took longer than ${command.timeoutSeconds} s and was stopped${tail}`,
    );
  }
  if (exit.code !== 0) {
    const how = exit.signal
      ? `was killed (${exit.signal})`
      : `exited with ${exit.code}`;
    throw new RecipeError(
      `step ${ctx.step}: the command ${name} ${how}${tail}`,
    );
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
