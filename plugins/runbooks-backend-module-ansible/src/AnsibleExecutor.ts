import { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
  spawnProcess,
} from '@fleetdeck/plugin-runbooks-node';
import { writeFile } from 'fs/promises';
import { join } from 'path';
import { z } from 'zod';
import { resolvePlaybook } from './resolvePlaybook';

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
  /** Extra vars (`-e`), passed as a JSON file: never through a shell. */
  extraVars: z.record(z.string(), z.unknown()).optional(),
  /** Host variables for every host of the generated inventory. */
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
  /** Host variables added for every host (e.g. `ansible_user`). */
  inventoryVars?: Record<string, unknown>;
  /** Environment variables passed on (the runner's environment is not, except PATH and HOME). */
  env?: Record<string, string>;
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
    });

    const inventory = {
      all: {
        hosts: Object.fromEntries(
          hosts.map(h => [
            h,
            { ...this.options.inventoryVars, ...input.inventoryVars },
          ]),
        ),
        vars: {
          fleetdeck_target: ctx.target.metadata.name,
          fleetdeck_run_id: ctx.runId,
          fleetdeck_idempotency_key: ctx.idempotencyKey,
        },
      },
    };
    const inventoryPath = join(ctx.workingDirectory, 'inventory.json');
    const varsPath = join(ctx.workingDirectory, 'extra-vars.json');
    await writeFile(inventoryPath, JSON.stringify(inventory), { mode: 0o600 });
    await writeFile(varsPath, JSON.stringify(input.extraVars ?? {}), {
      mode: 0o600,
    });

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
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LANG: 'C.UTF-8',
        PYTHONUNBUFFERED: '1',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(ctx.workingDirectory, '.ansible-tmp'),
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
