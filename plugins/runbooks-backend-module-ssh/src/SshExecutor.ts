import { InputError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { createHash } from 'crypto';
import { Client, ConnectConfig } from 'ssh2';
import { z } from 'zod';
import { shellQuote, toCommandLine } from './shellQuote';

const scalar = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(v => String(v));

/** Input of an `ssh` step. */
export const sshInputSchema = z.object({
  /**
   * The command as an argument vector, the runbook author's own text: it may
   * not hold `${{ }}` or `{% %}` (checked against the runbook), so that no
   * parameter, entity field or step output becomes shell code. Each element
   * is quoted for the remote shell.
   */
  command: z.array(z.string()).min(1),
  /**
   * Arguments appended to the command, templates allowed: each one is quoted,
   * so it reaches the program as one argument, never as shell code. A value
   * that starts with '-' only because of a template is refused (it would be
   * read as an option) unless the command holds `--`.
   */
  args: z.array(scalar).optional(),
  /**
   * Environment variables for the command, templates allowed in the values,
   * set as quoted assignments in front of it (`NAME='value' command ...`).
   * The names are the runbook's own; names that make programs load code
   * (PATH, LD_*, BASH_ENV, ...) are refused.
   */
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'invalid variable name'),
      scalar,
    )
    .optional(),
  /** Nodes to run on; defaults to the target's `spec.nodes`. */
  nodes: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/))
    .min(1)
    .optional(),
  /** Run on the nodes one after another (default) or all at once. */
  parallel: z.boolean().optional(),
  /** Exit codes that count as success (default 0). */
  successCodes: z.array(z.number().int()).optional(),
});

// Environment variables through which a value is run or loaded as code by the
// shell, the dynamic linker or common interpreters.
const codeEnvNames =
  /^(PATH|IFS|ENV|BASH_ENV|BASHOPTS|SHELLOPTS|PS4|PROMPT_COMMAND|CDPATH|GLOBIGNORE|BASH_FUNC_.*|LD_.*|DYLD_.*|PYTHON.*|PERL5?LIB|PERL5OPT|RUBYOPT|RUBYLIB|NODE_OPTIONS|NODE_PATH|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|GIT_.*|SSH_ASKPASS|EDITOR|VISUAL|PAGER|LESSOPEN|LESSCLOSE)$/;

// The same test the engine's renderTemplates uses (templating.ts,
// containsTemplate): a string with either is rendered before a step runs.
const hasTemplate = (text: string) =>
  text.includes('${{') || text.includes('{%');

/**
 * The step's input as the runbook has it, before the engine rendered it:
 * what `command` and the names in `env` must be, verbatim.
 */
function rawInput(ctx: RunbookExecutorContext): Record<string, unknown> {
  const step = ctx.runbook?.spec?.steps?.find(s => s.id === ctx.stepId);
  if (!step) {
    throw new InputError(
      `ssh step '${ctx.stepId}' is not in runbook '${ctx.runbook?.metadata?.name}': its command cannot be checked`,
    );
  }
  return (step.input ?? {}) as Record<string, unknown>;
}

/**
 * Refuses a command that is not the runbook's static text, env names that
 * are not, and option-like args that came from a template.
 */
function assertStatic(
  input: z.infer<typeof sshInputSchema>,
  ctx: RunbookExecutorContext,
) {
  const raw = rawInput(ctx);
  const where = `ssh step '${ctx.stepId}'`;
  const rawCommand = raw.command;
  if (
    !Array.isArray(rawCommand) ||
    rawCommand.some(c => typeof c !== 'string' || hasTemplate(c))
  ) {
    throw new InputError(
      `${where}: command must be the runbook's own text, a list of strings without \${{ }} or {% %}; pass parameters, entity fields and step outputs in args or env, which are quoted`,
    );
  }
  if (
    rawCommand.length !== input.command.length ||
    rawCommand.some((c, i) => c !== input.command[i])
  ) {
    throw new InputError(
      `${where}: command differs from the runbook's text after rendering`,
    );
  }
  if (input.env) {
    const rawEnv = raw.env;
    if (
      !rawEnv ||
      typeof rawEnv !== 'object' ||
      Array.isArray(rawEnv) ||
      Object.keys(rawEnv).join('\0') !== Object.keys(input.env).join('\0')
    ) {
      throw new InputError(
        `${where}: env must be a map written in the runbook, its names the runbook's own (templates only in the values)`,
      );
    }
    for (const name of Object.keys(input.env)) {
      if (codeEnvNames.test(name.toUpperCase())) {
        throw new InputError(
          `${where}: env.${name} cannot be set: programs read code or paths to code from it`,
        );
      }
    }
  }
  if (input.args && !input.command.includes('--')) {
    const rawArgs = Array.isArray(raw.args) ? raw.args : [];
    input.args.forEach((arg, i) => {
      const written = rawArgs[i];
      const fromAuthor =
        typeof written === 'string'
          ? written.startsWith('-')
          : // a number or boolean in the runbook's own text
            written !== undefined && String(written) === arg;
      if (arg.startsWith('-') && !fromAuthor) {
        throw new InputError(
          `${where}: args[${i}] starts with '-' from a template and would be read as an option; put '--' in the command to end its options`,
        );
      }
    });
  }
}

/** Connection settings from `runbooks.ssh`. */
export interface SshExecutorOptions {
  user: string;
  port?: number;
  privateKey: string;
  passphrase?: string;
  /**
   * Accepted host keys as `SHA256:<base64>` fingerprints (what `ssh-keygen -lf`
   * prints). Without any, every host key is refused unless
   * `allowUnknownHostKeys` is set.
   */
  hostKeyFingerprints?: string[];
  allowUnknownHostKeys?: boolean;
  connectTimeoutMs?: number;
}

interface NodeResult {
  exitCode: number | null;
  signal?: string;
  error?: string;
}

/** Runs a command on each node of the target over SSH, with per-node results. */
export class SshExecutor implements RunbookExecutor {
  readonly id = 'ssh';
  readonly description = 'Runs a command on the target nodes over SSH';

  constructor(private readonly options: SshExecutorOptions) {}

  private runOnNode(
    node: string,
    commandLine: string,
    ctx: RunbookExecutorContext,
  ): Promise<NodeResult> {
    const [host, portText] = node.includes(':')
      ? node.split(':')
      : [node, undefined];
    return new Promise(resolve => {
      const client = new Client();
      let finished = false;
      function onAbort() {
        ctx.logger.warn(`[${node}] aborting: closing the session`);
        client.destroy();
        finish({ exitCode: null, error: 'aborted' });
      }
      function finish(result: NodeResult) {
        if (finished) return;
        finished = true;
        ctx.signal.removeEventListener('abort', onAbort);
        client.end();
        resolve(result);
      }
      ctx.signal.addEventListener('abort', onAbort);
      const config: ConnectConfig = {
        host,
        port: Number(portText ?? this.options.port ?? 22),
        username: this.options.user,
        privateKey: this.options.privateKey,
        passphrase: this.options.passphrase,
        readyTimeout: this.options.connectTimeoutMs ?? 15_000,
        hostVerifier: (key: Buffer) => {
          const fingerprint = `SHA256:${createHash('sha256')
            .update(key)
            .digest('base64')
            .replace(/=+$/, '')}`;
          const known = this.options.hostKeyFingerprints ?? [];
          const ok =
            known.includes(fingerprint) ||
            (known.length === 0 && !!this.options.allowUnknownHostKeys);
          if (!ok)
            ctx.logger.error(
              `[${node}] host key ${fingerprint} is not trusted`,
            );
          return ok;
        },
      };
      client
        .on('ready', () => {
          client.exec(commandLine, (err, stream) => {
            if (err) {
              finish({ exitCode: null, error: err.message });
              return;
            }
            const lines = (prefix: string, log: (l: string) => void) => {
              let buffer = '';
              return {
                push(chunk: Buffer) {
                  buffer += chunk.toString('utf8');
                  const parts = buffer.split('\n');
                  buffer = parts.pop()!;
                  parts.forEach(p => log(`[${prefix}] ${p}`));
                },
                flush() {
                  if (buffer) log(`[${prefix}] ${buffer}`);
                },
              };
            };
            const out = lines(node, l => ctx.logger.info(l));
            const errOut = lines(node, l => ctx.logger.warn(l));
            let exitCode: number | null = null;
            let exitSignal: string | undefined;
            stream.on('data', (c: Buffer) => out.push(c));
            stream.stderr.on('data', (c: Buffer) => errOut.push(c));
            stream.on('exit', (code: number | null, signal?: string) => {
              exitCode = code;
              exitSignal = signal;
            });
            stream.on('close', () => {
              out.flush();
              errOut.flush();
              finish({ exitCode, signal: exitSignal });
            });
          });
        })
        .on('error', e => finish({ exitCode: null, error: e.message }))
        .connect(config);
    });
  }

  async execute(ctx: RunbookExecutorContext) {
    const parsed = sshInputSchema.safeParse(ctx.input);
    if (!parsed.success) {
      throw new InputError(
        `Invalid ssh step input: ${z.prettifyError(parsed.error)}`,
      );
    }
    const input = parsed.data;
    assertStatic(input, ctx);
    const specNodes = (ctx.target.spec as any)?.nodes;
    const nodes: string[] =
      input.nodes ?? (Array.isArray(specNodes) ? specNodes.map(String) : []);
    if (nodes.length === 0)
      throw new InputError('The target has no nodes to run on');
    const commandLine = [
      ...Object.entries(input.env ?? {}).map(
        ([name, value]) => `${name}=${shellQuote(value)}`,
      ),
      toCommandLine([...input.command, ...(input.args ?? [])]),
    ].join(' ');
    if (ctx.dryRun) {
      for (const node of nodes)
        ctx.logger.info(`[${node}] dry run: would run ${commandLine}`);
      return { output: { dryRun: true, command: commandLine, nodes } };
    }
    const success = input.successCodes ?? [0];
    const results: Record<string, NodeResult> = {};
    if (input.parallel) {
      await Promise.all(
        nodes.map(
          async n => (results[n] = await this.runOnNode(n, commandLine, ctx)),
        ),
      );
    } else {
      for (const node of nodes) {
        results[node] = await this.runOnNode(node, commandLine, ctx);
        if (
          ctx.signal.aborted ||
          !success.includes(results[node].exitCode ?? -1)
        )
          break;
      }
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const failed = nodes.filter(
      n => !results[n] || !success.includes(results[n].exitCode ?? -1),
    );
    if (failed.length) {
      throw new Error(
        `Failed on ${failed
          .map(
            n =>
              `${n} (${
                results[n]?.error ??
                (results[n] ? `exit ${results[n].exitCode}` : 'not run')
              })`,
          )
          .join(', ')}`,
      );
    }
    return { output: { command: commandLine, nodes: results as any } };
  }
}
