import { spawn } from 'child_process';
import { subscribe, unsubscribe } from 'diagnostics_channel';
import { existsSync, readFileSync } from 'fs';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { ProgramError, runProgram } from './runProgram';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-program-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Running: neither gone nor a zombie waiting to be reaped. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

async function until(check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 50));
  }
}

/** Another Node process running `script`, with `runProgram` in scope. */
function nodeWithRunProgram(script: string) {
  return spawn(
    process.execPath,
    [
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      '-e',
      `const { runProgram } = require(${JSON.stringify(
        require.resolve('./runProgram'),
      )});\n${script}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

describe('runProgram', () => {
  it('passes arguments as they are, stdin, cwd and env, and returns the exit code and both outputs', async () => {
    const marker = join(dir, 'marker');
    const result = await runProgram(
      'sh',
      [
        '-c',
        'printf "%s|%s|%s|" "$1" "$PWD" "$GREETING"; cat; echo oops >&2; exit 3',
        'sh',
        `$(touch ${marker}); touch ${marker}`,
      ],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, GREETING: 'hi' },
        input: 'in',
      },
    );
    expect(result.code).toBe(3);
    expect(result.stdout.toString()).toBe(
      `$(touch ${marker}); touch ${marker}|${dir}|hi|in`,
    );
    expect(result.stderr.toString()).toBe('oops\n');
    // the argument was data, not a command
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps binary output byte for byte', async () => {
    const bytes = Buffer.from([0, 255, 10, 13, 128, 0]);
    const result = await runProgram('cat', [], { input: bytes });
    expect(result.stdout.equals(bytes)).toBe(true);
  });

  it('starts the program from a launcher process, not from this one', async () => {
    const { stdout } = await runProgram('sh', ['-c', 'echo $PPID']);
    const launcher = Number(stdout.toString());
    expect(launcher).not.toBe(process.pid);
    const status = await readFile(`/proc/${launcher}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^PPid:\\s+${process.pid}$`, 'm'));
    // small: a backend's heap is not copied for every git command
    const rss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]);
    expect(rss).toBeLessThan(100 * 1024);
  });

  it('publishes each program that ends on the fleetdeck:program channel, without its environment', async () => {
    const seen: unknown[] = [];
    const listen = (m: unknown) => seen.push(m);
    subscribe('fleetdeck:program', listen);
    try {
      await runProgram('sh', ['-c', 'sleep 0.2'], {
        env: { PATH: process.env.PATH, TOKEN: 'secret-token-value' },
      });
    } finally {
      unsubscribe('fleetdeck:program', listen);
    }
    expect(seen).toEqual([
      {
        command: 'sh',
        args: ['-c', 'sleep 0.2'],
        durationMs: expect.any(Number),
      },
    ]);
    expect((seen[0] as { durationMs: number }).durationMs).toBeGreaterThan(150);
    expect(JSON.stringify(seen)).not.toContain('secret-token-value');
  });

  it('rejects with a ProgramError when the program does not exist', async () => {
    const e = await runProgram('no-such-program-fleetdeck', []).catch(x => x);
    expect(e).toBeInstanceOf(ProgramError);
    expect(e.reason).toBe('not-started');
    expect(e.message).toMatch(/no-such-program-fleetdeck could not start/);
    // and the next program runs
    expect((await runProgram('true', [])).code).toBe(0);
  });

  it('stops the program when the signal aborts', async () => {
    const pidFile = join(dir, 'pid');
    const controller = new AbortController();
    const running = runProgram(
      'sh',
      ['-c', `echo $$ > ${pidFile}; exec sleep 30`],
      { signal: controller.signal },
    );
    await until(() => existsSync(pidFile));
    const pid = Number(await readFile(pidFile, 'utf8'));
    controller.abort();
    await expect(running).rejects.toMatchObject({ reason: 'aborted' });
    await until(() => !alive(pid));
  });

  it('stops a program that outlives its timeout', async () => {
    const started = Date.now();
    const result = await runProgram('sleep', ['30'], { timeoutMs: 200 });
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops a program that prints more than allowed', async () => {
    const e = await runProgram('head', ['-c', '100000', '/dev/zero'], {
      maxOutputBytes: 1000,
    }).catch(x => x);
    expect(e).toMatchObject({ reason: 'output-too-large' });
  });

  it('rejects what runs when the launcher dies, and starts a new one', async () => {
    const pidFile = join(dir, 'pid');
    const running = runProgram('sh', [
      '-c',
      `echo $PPID > ${pidFile}; exec sleep 30`,
    ]);
    await until(() => existsSync(pidFile));
    process.kill(Number(await readFile(pidFile, 'utf8')), 'SIGKILL');
    await expect(running).rejects.toThrow(/launcher exited \(SIGKILL\)/);
    expect((await runProgram('echo', ['again'])).stdout.toString()).toBe(
      'again\n',
    );
  });

  it('leaves no program running when its process is killed with kill -9', async () => {
    const pidFile = join(dir, 'pid');
    const parent = nodeWithRunProgram(
      `runProgram('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 30']);`,
    );
    await until(() => existsSync(pidFile), 30_000);
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await until(() => !alive(pid));
  });

  it('lets this process exit while no program runs', async () => {
    await runProgram('true', []);
    const exited = nodeWithRunProgram(
      `runProgram('echo', ['done']).then(r => process.stdout.write(r.stdout));`,
    );
    let out = '';
    exited.stdout!.on('data', d => (out += d));
    const code = await new Promise(r => exited.on('exit', r));
    expect(code).toBe(0);
    expect(out).toBe('done\n');
  });
});
