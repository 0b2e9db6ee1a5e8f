/*
 * Real Ansible through the runbooks engine: the run store and worker the
 * backend uses (SQLite in a file), one run of the demo runbook
 * examples/runbooks/mongodb-key-rotation over N Cluster targets (three nodes
 * each), its folder pinned as the router pins it, executed by the real
 * AnsibleExecutor configured as app-config.yaml configures the demo
 * (inventoryVars ansible_python_interpreter, env FLEETDECK_DEMO_DIR) running
 * the real ansible-playbook (the playbook is `connection: local`).
 *
 * Arguments: demo dir (FLEETDECK_DEMO_DIR of the run), targets (17),
 * concurrency (17), and optionally a capture dir: then `command` is a script
 * that records each invocation (argv, environment, working directory, and
 * copies of the inventory, extra vars and pinned folder) into that dir and
 * runs nothing; the baseline replays those invocations from a shell.
 * Prints one JSON line: { ms, cpuMs, targets, concurrency, profile }.
 */
import {
  DefaultRunBroker,
  RunStore,
  RunWorker,
} from '@fleetdeck/plugin-runbooks-backend';
// the router's pinning of the runbook's folder (not exported by the package)
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { DefinitionSnapshots } from '../../../plugins/runbooks-backend/src/trust/DefinitionSnapshots';
import { AnsibleExecutor } from '@fleetdeck/plugin-runbooks-backend-module-ansible';
import { RunbookExecutor } from '@fleetdeck/plugin-runbooks-node';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { parse } from 'yaml';
import { database, quietLogger } from './shared';

const [
  demoDir = '/tmp/fleetdeck-bench-demo',
  targetsArg = '17',
  concurrencyArg = '17',
  captureDir,
] = process.argv.slice(2);
const targets = Number(targetsArg);
const concurrency = Number(concurrencyArg);
const runbookFile = resolve(
  __dirname,
  '../../../examples/runbooks/mongodb-key-rotation/catalog-info.yaml',
);

/** A script standing in for ansible-playbook that records how it was called. */
function captureCommand(dir: string) {
  const script = join(dir, 'capture.js');
  writeFileSync(
    script,
    `#!${process.execPath}
const fs = require('fs'), path = require('path');
const dir = fs.mkdtempSync(path.join(${JSON.stringify(dir)}, 'call-'));
const args = process.argv.slice(2);
const inventory = args[args.indexOf('-i') + 1];
const vars = args[args.indexOf('-e') + 1].slice(1);
const work = path.dirname(inventory);
fs.copyFileSync(inventory, path.join(dir, 'inventory.yml'));
fs.copyFileSync(vars, path.join(dir, 'extra-vars.yml'));
fs.cpSync(process.cwd(), path.join(dir, 'runbook'), { recursive: true });
fs.writeFileSync(path.join(dir, 'call.json'), JSON.stringify({
  work, cwd: process.cwd(), args, env: process.env,
}, null, 2));
`,
  );
  chmodSync(script, 0o755);
  return script;
}

/** `count` MongoDB replica sets of three members, none needing approval. */
const clusters = (count: number) =>
  Array.from({ length: count }, (_, i) => {
    const name = `mongodb-bench-${String(i).padStart(2, '0')}`;
    return {
      entityRef: `cluster:default/${name}`,
      entity: {
        apiVersion: 'fleetdeck.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name, namespace: 'default' },
        spec: {
          engine: 'mongodb',
          environment: 'staging',
          owner: 'group:default/platform-mongodb',
          nodes: [`${name}-a`, `${name}-b`, `${name}-c`],
        },
      },
      needsApproval: false,
    };
  });

/**
 * CPU time of this process's children that ended (ms): the ansible-playbook
 * processes and what they waited for (cutime + cstime of /proc/self/stat,
 * in clock ticks of 10 ms).
 */
export function childrenCpuMs(pid: number | 'self' = 'self') {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** When each target's step started, printed its first and last line, ended. */
class Profile {
  readonly steps: Array<{
    start: number;
    first?: number;
    last?: number;
    end?: number;
    lines: number;
  }> = [];

  /** The steps' working directories (the engine removes them after its last write). */
  readonly directories: string[] = [];

  wrap(executor: RunbookExecutor): RunbookExecutor {
    return {
      id: executor.id,
      execute: async ctx => {
        const step = { start: performance.now(), lines: 0 } as {
          start: number;
          first?: number;
          last?: number;
          end?: number;
          lines: number;
        };
        this.steps.push(step);
        this.directories.push(ctx.workingDirectory);
        const line = () => {
          const now = performance.now();
          step.first ??= now;
          step.last = now;
          step.lines++;
        };
        const logger = {
          info: (m: string) => {
            // the executor's own `$ ansible-playbook ...` line comes first
            if (!m.startsWith('$ ')) line();
            ctx.logger.info(m);
          },
          warn: (m: string) => {
            line();
            ctx.logger.warn(m);
          },
          error: (m: string) => ctx.logger.error(m),
        };
        try {
          const result = await executor.execute(
            Object.create(ctx, { logger: { value: logger } }),
          );
          // every member of the replica set rotated (5 tasks each)
          const hosts = Object.values((result?.output as any)?.hosts ?? {});
          if (
            !captureDir &&
            (hosts.length !== 3 ||
              hosts.some((h: any) => h.ok !== 5 || h.failed !== 0))
          )
            throw new Error(`not rotated: ${JSON.stringify(result?.output)}`);
          return result;
        } finally {
          step.end = performance.now();
        }
      },
    };
  }
}

async function main() {
  const runbook = parse(readFileSync(runbookFile, 'utf8'));
  runbook.metadata.namespace = 'default';
  runbook.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${runbookFile}`,
    'backstage.io/managed-by-origin-location': `file:${runbookFile}`,
  };
  // the bench's parallelism (the demo runbook says 10)
  runbook.spec.concurrency = concurrency;
  const definition = await new DefinitionSnapshots({} as any).snapshot(runbook);

  const executor = new AnsibleExecutor({
    urlReader: {} as any,
    command: captureDir ? captureCommand(captureDir) : undefined,
    // as app-config.yaml configures the demo
    inventoryVars: { ansible_python_interpreter: '/usr/bin/python3' },
    env: { FLEETDECK_DEMO_DIR: demoDir },
  });
  const profile = new Profile();

  const db = await database('sqlite');
  const store = await RunStore.fromKnex(db.knex);
  let finished: (() => void) | undefined;
  const broker = await DefaultRunBroker.create({ logger: quietLogger });
  broker.onRunFinished(() => finished?.());
  const worker = new RunWorker({
    store,
    executors: new Map([['ansible', profile.wrap(executor)]]),
    logger: quietLogger,
    workerId: 'bench',
    maxParallel: concurrency,
    pollIntervalMs: 1000,
    heartbeatIntervalMs: 5000,
    broker,
  });
  worker.start();
  // let the worker register before the clock starts
  await new Promise(r => setTimeout(r, 200));

  const done = new Promise<void>(r => (finished = r));
  const cpuBefore = process.cpuUsage();
  const childrenBefore = childrenCpuMs();
  const started = performance.now();
  const runId = await store.createRun({
    runbookRef: 'runbook:default/mongodb-key-rotation',
    runbook,
    parameters: { reason: 'scheduled rotation', keyLength: 756 },
    requestedBy: 'user:default/bench',
    dryRun: false,
    concurrency,
    targets: clusters(targets),
    definition,
  });
  worker.wake();
  await done;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const ansibleCpuMs = childrenCpuMs() - childrenBefore;

  const counts = await store.countTargets(runId);
  if (counts.succeeded !== targets) {
    const { items } = await store.listLogs({ runId, limit: 200 });
    console.error(items.map(l => l.message).join('\n'));
    throw new Error(`only ${counts.succeeded} of ${targets} succeeded`);
  }
  const { items: logs } = await store.listLogs({ runId, limit: 5000 });
  await worker.stop();
  await db.cleanup();
  // the engine removes a step's directory after the target's last write, which
  // may be after the run finished: this process exits before that
  for (const dir of profile.directories)
    rmSync(dir, { recursive: true, force: true });

  const rel = (t?: number) => (t === undefined ? -1 : Math.round(t - started));
  console.log(
    JSON.stringify({
      ms,
      // this process only: the worker, its database, the executor's parsing
      cpuMs: (cpu.user + cpu.system) / 1000,
      // the ansible-playbook processes (user + system)
      ansibleCpuMs,
      targets,
      concurrency,
      logLines: logs.length,
      firstCommand: logs.find(l => l.message.startsWith('$ '))?.message,
      profile: profile.steps.map(s => ({
        start: rel(s.start),
        first: rel(s.first),
        last: rel(s.last),
        end: rel(s.end),
        lines: s.lines,
      })),
    }),
  );
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
