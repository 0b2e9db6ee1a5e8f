import { InputError } from '@backstage/errors';
import {
  RunbookExecutor,
  RunbookExecutorContext,
} from '@fleetdeck/plugin-runbooks-node';
import { createHash } from 'crypto';
import { Client, ConnectConfig } from 'ssh2';
import { z } from 'zod';
import { toCommandLine } from './shellQuote';

/** Input of an `ssh` step. */
export const sshInputSchema = z.object({
  /** The command as an argument vector; each argument is quoted for the remote shell. */
  command: z.array(z.string()).min(1),
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
    const specNodes = (ctx.target.spec as any)?.nodes;
    const nodes: string[] =
      input.nodes ?? (Array.isArray(specNodes) ? specNodes.map(String) : []);
    if (nodes.length === 0)
      throw new InputError('The target has no nodes to run on');
    const commandLine = toCommandLine(input.command);
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
