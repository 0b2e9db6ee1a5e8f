import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';

/** A config with the given git servers (and GitOps repository). */
export function configWith(data: {
  servers: JsonObject[];
  gitopsRepoUrl?: string;
}) {
  return new ConfigReader({
    scaffolder: {
      defaultAuthor: {
        name: 'Fleetdeck',
        email: 'fleetdeck@fleetdeck.example',
      },
    },
    fleetdeck: {
      git: { servers: data.servers },
      ...(data.gitopsRepoUrl
        ? { gitops: { repoUrl: data.gitopsRepoUrl } }
        : {}),
    },
  });
}

/** Writes files into a workspace directory. */
export function writeFiles(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/**
 * An action context whose log lines are collected (to prove what never
 * appears in a task log), optionally in dry-run mode and with a checkpoint
 * store shared between runs (to act as a resumed task).
 */
export function actionContext(options: {
  input: Record<string, unknown>;
  workspacePath: string;
  isDryRun?: boolean;
  checkpoints?: Map<string, unknown>;
  tempDir?: string;
}) {
  const lines: string[] = [];
  const logger = mockServices.logger.mock();
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    (logger[level] as jest.Mock).mockImplementation((m: string, meta?: any) =>
      lines.push(`${m}${meta ? ` ${JSON.stringify(meta)}` : ''}`),
    );
  }
  (logger.child as jest.Mock).mockReturnValue(logger);
  const ctx = createMockActionContext({
    input: options.input as any,
    workspacePath: options.workspacePath,
    logger,
    user: {
      ref: 'user:default/emma.dubois',
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'emma.dubois' },
        spec: {
          profile: {
            displayName: 'Emma Dubois',
            email: 'emma.dubois@fleetdeck.example',
          },
        },
      },
    },
  });
  const checkpoints = options.checkpoints;
  return {
    ctx: {
      ...ctx,
      isDryRun: options.isDryRun,
      createTemporaryDirectory: async () => {
        const dir = join(
          options.tempDir ?? options.workspacePath,
          '..',
          `tmp-${Math.random().toString(36).slice(2)}`,
        );
        mkdirSync(dir, { recursive: true });
        return dir;
      },
      checkpoint: async ({ key, fn }: { key: string; fn: () => any }) => {
        if (checkpoints?.has(key)) return checkpoints.get(key);
        const value = await fn();
        checkpoints?.set(key, value);
        return value;
      },
    } as any,
    lines,
    output: ctx.output as jest.Mock,
  };
}
