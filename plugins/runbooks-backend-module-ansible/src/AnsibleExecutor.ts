import { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
  spawnProcess,
} from '@fleetdeck/plugin-runbooks-node';
import { execFile } from 'child_process';
import { chown, lstat, mkdir, readdir, stat, writeFile } from 'fs/promises';
import { join } from 'path';
import { z } from 'zod';
import { resolvePlaybook } from './resolvePlaybook';
import { RunAsUser } from './runAs';
import { quoteYamlString, toYaml } from './unsafeYaml';
import { assertStepVarName } from './varNames';

// Host names reach `--limit` and the inventory: no leading '-' (an option),
// and none of Ansible's pattern characters (`,:!&*~[]@` and spaces).
const hostPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;

/** Input of an `ansible` step. */
export const ansibleInputSchema = z.object({
  /** Playbook path relative to the runbook's catalog-info file. */
  playbook: z.string().min(1),
  /** Hosts to run on; defaults to the target's `spec.nodes`. */
  hosts: z
    .array(z.string().regex(hostPattern, 'invalid host name'))
    .min(1)
    .optional(),
  /**
   * Extra vars (`-e @file`), written as YAML with every string tagged
   * `!unsafe`: data Ansible never templates. Names `ansible_*`,
   * `fleetdeck_*` and Ansible's reserved names are refused.
   */
  extraVars: z.record(z.string(), z.unknown()).optional(),
  /** Host variables for every host of the generated inventory (as data, like extraVars). */
  inventoryVars: z.record(z.string(), z.unknown()).optional(),
  tags: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/)).optional(),
  verbosity: z.number().int().min(0).max(4).optional(),
});

const recapLine =
  /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)(?:\s+skipped=(\d+))?/;

/** Options of the ansible executor, from `runbooks.ansible` config. */
export interface AnsibleExecutorOptions {
  urlReader: UrlReaderService;
  /** The ansible-playbook binary. */
  command?: string;
  /**
   * Host variables added for every host (e.g. `ansible_user`): the operator's
   * trusted config, written as is (Ansible may template them).
   */
  inventoryVars?: Record<string, unknown>;
  /** Environment variables passed on (the runner's environment is not, except PATH and HOME). */
  env?: Record<string, string>;
  /** The OS user ansible-playbook runs as (`runbooks.ansible.runAs`), see resolveRunAs. */
  runAs?: RunAsUser;
}

/** Changes the owner of a directory and everything in it (not following links). */
async function chownTree(path: string, uid: number, gid: number) {
  await chown(path, uid, gid);
  if ((await lstat(path)).isDirectory()) {
    for (const entry of await readdir(path)) {
      await chownTree(join(path, entry), uid, gid);
    }
  }
}

/** Whether `user` can read `path`, asked as that user (ACLs included). */
function readableAs(path: string, user: RunAsUser): Promise<boolean> {
  return new Promise(resolve => {
    execFile(
      'test',
      ['-r', path],
      { uid: user.uid, gid: user.gid, env: { PATH: process.env.PATH } },
      error => resolve(!error),
    );
  });
}

/** Runs the runbook's playbook with ansible-playbook, limited to the target's hosts. */
export class AnsibleExecutor implements RunbookExecutor {
  readonly id = 'ansible';
  readonly description =
    'Runs a playbook from next to the runbook with ansible-playbook on the target nodes (--check --diff in dry runs)';

  constructor(private readonly options: AnsibleExecutorOptions) {}

  async execute(ctx: RunbookExecutorContext) {
    const parsed = ansibleInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid ansible step input: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    const operatorVars = this.options.inventoryVars ?? {};
    for (const name of Object.keys(input.extraVars ?? {}))
      assertStepVarName(name, 'extraVars', operatorVars);
    for (const name of Object.keys(input.inventoryVars ?? {}))
      assertStepVarName(name, 'inventoryVars', operatorVars);
    const nodes = (ctx.target.spec as any)?.nodes;
    const hosts =
      input.hosts ??
      (Array.isArray(nodes) && nodes.length
        ? nodes.map(String)
        : [ctx.target.metadata.name]);
    for (const host of hosts) {
      if (!hostPattern.test(host))
        throw new InputError(`Invalid host name '${host}'`);
    }
    const { playbookPath, baseDir } = await resolvePlaybook({
      annotations: ctx.runbook.metadata.annotations,
      playbook: input.playbook,
      urlReader: this.options.urlReader,
      workingDirectory: ctx.workingDirectory,
      // the files the run pinned when it started, not what is pushed since
      definitionDirectory: ctx.definitionDirectory,
    });

    // Everything from the step input, the target and the run is data: every
    // string in it is tagged !unsafe, so Ansible never templates it (a
    // parameter `{{ lookup('pipe', ...) }}` stays that text). Only the
    // operator's inventoryVars are written plain.
    const data = (value: unknown, path: string) =>
      toYaml(value, { unsafe: true, path });
    const hostVars = [
      ...Object.entries(operatorVars).map(
        ([k, v]) =>
          `${quoteYamlString(k)}: ${toYaml(v, {
            unsafe: false,
            path: `runbooks.ansible.inventoryVars.${k}`,
          })}`,
      ),
      ...Object.entries(input.inventoryVars ?? {})
        .filter(([, v]) => v !== undefined)
        .map(
          ([k, v]) => `${quoteYamlString(k)}: ${data(v, `inventoryVars.${k}`)}`,
        ),
    ].join(', ');
    const inventory = [
      '# Written by Fleetdeck. Strings tagged !unsafe are data: Ansible does not template them.',
      'all:',
      '  hosts:',
      ...hosts.map(h => `    ${quoteYamlString(h)}: {${hostVars}}`),
      '  vars:',
      `    fleetdeck_target: ${data(ctx.target.metadata.name, 'target')}`,
      `    fleetdeck_run_id: ${data(ctx.runId, 'runId')}`,
      `    fleetdeck_idempotency_key: ${data(
        ctx.idempotencyKey,
        'idempotencyKey',
      )}`,
      '',
    ].join('\n');
    const extraVars = Object.entries(input.extraVars ?? {}).filter(
      ([, v]) => v !== undefined,
    );
    const varsFile = [
      '# Written by Fleetdeck from the step input. Every string is tagged !unsafe: Ansible does not template it.',
      ...(extraVars.length
        ? extraVars.map(
            ([k, v]) => `${quoteYamlString(k)}: ${data(v, `extraVars.${k}`)}`,
          )
        : ['{}']),
      '',
    ].join('\n');
    const inventoryPath = join(ctx.workingDirectory, 'inventory.yml');
    const varsPath = join(ctx.workingDirectory, 'extra-vars.yml');
    await writeFile(inventoryPath, inventory, { mode: 0o600 });
    await writeFile(varsPath, varsFile, { mode: 0o600 });

    const runAs = this.options.runAs;
    let home = process.env.HOME;
    let remoteTemp: string | undefined;
    if (runAs) {
      // the user's own home when it has one, else one in the step's directory
      const own = await stat(runAs.home).catch(() => undefined);
      if (own?.isDirectory() && own.uid === runAs.uid) {
        home = runAs.home;
      } else {
        home = join(ctx.workingDirectory, 'home');
        await mkdir(home, { mode: 0o700 });
        // Ansible's default remote_tmp is ~<user>/.ansible/tmp, the passwd
        // home, not $HOME
        remoteTemp = join(home, '.ansible', 'tmp');
      }
      if (runAs.switchUser) {
        await chownTree(ctx.workingDirectory, runAs.uid, runAs.gid);
        if (!(await readableAs(playbookPath, runAs))) {
          throw new InputError(
            `The playbook ${playbookPath} is not readable by '${runAs.name}' (runbooks.ansible.runAs): make the runbook's directory readable by that user`,
          );
        }
      }
    }

    const args = [
      '-i',
      inventoryPath,
      '-e',
      `@${varsPath}`,
      '--limit',
      hosts.join(','),
    ];
    if (ctx.dryRun) args.push('--check', '--diff');
    if (input.tags?.length) args.push('--tags', input.tags.join(','));
    if (input.verbosity) args.push(`-${'v'.repeat(input.verbosity)}`);
    args.push(playbookPath);

    const recap: Record<string, Record<string, number>> = {};
    let inRecap = false;
    ctx.logger.info(`$ ansible-playbook ${args.join(' ')}`);
    const code = await spawnProcess({
      command: this.options.command ?? 'ansible-playbook',
      args,
      cwd: baseDir,
      signal: ctx.signal,
      ...(runAs?.switchUser ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ...(runAs ? { USER: runAs.name, LOGNAME: runAs.name } : {}),
        LANG: 'C.UTF-8',
        PYTHONUNBUFFERED: '1',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(ctx.workingDirectory, '.ansible-tmp'),
        ...(remoteTemp ? { ANSIBLE_REMOTE_TEMP: remoteTemp } : {}),
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ...this.options.env,
      },
      onLine: (line, stream) => {
        if (line.startsWith('PLAY RECAP')) inRecap = true;
        const match = inRecap ? recapLine.exec(line) : null;
        if (match) {
          recap[match[1]] = {
            ok: Number(match[2]),
            changed: Number(match[3]),
            unreachable: Number(match[4]),
            failed: Number(match[5]),
            skipped: Number(match[6] ?? 0),
          };
        }
        if (stream === 'stderr') ctx.logger.warn(line);
        else ctx.logger.info(line);
      },
    });
    const totals = Object.values(recap).reduce(
      (sum, h) => ({
        changed: sum.changed + h.changed,
        failed: sum.failed + h.failed,
        unreachable: sum.unreachable + h.unreachable,
      }),
      { changed: 0, failed: 0, unreachable: 0 },
    );
    if (code !== 0) {
      throw new Error(
        `ansible-playbook exited with code ${code} (failed=${totals.failed}, unreachable=${totals.unreachable})`,
      );
    }
    return { output: { hosts: recap, ...totals, dryRun: ctx.dryRun } };
  }
}
