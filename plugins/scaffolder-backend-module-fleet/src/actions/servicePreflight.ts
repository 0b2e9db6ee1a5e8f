import { DiscoveryService } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { tryParseEntityRef } from '@fleetdeck/plugin-fleet-common';
import { assertBranchEmpty } from '../git/assertBranchEmpty';
import { gitBlobUrl, gitTreeUrl } from '../git/contentsUrl';
import { configuredGitopsRepoUrl, GitServers } from '../git/GitServers';
import { examples } from './servicePreflight.examples';
import { checkServiceName } from './serviceName';

/**
 * `fleetdeck:service:preflight`: the first step of the Microservice template.
 * Checks everything that can be checked before anything is written (the name,
 * that it is free in the catalog, the owner, system and clusters, that the
 * target repository is still empty) and resolves where the service will live,
 * so that the skeleton can carry its own source location.
 *
 * @public
 */
export function createServicePreflightAction(options: {
  config: Config;
  servers: GitServers;
  catalog: CatalogService;
  discovery: DiscoveryService;
}) {
  const { config, servers, catalog, discovery } = options;
  return createTemplateAction({
    id: 'fleetdeck:service:preflight',
    description:
      'Validates a new service (DNS-label name free in the catalog, owner, system, clusters, empty target repository) and resolves its repository URLs',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string({ description: 'Name of the new service' }),
        owner: z => z.string({ description: 'Owning group, as an entity ref' }),
        system: z =>
          z.string({ description: 'System, as an entity ref' }).optional(),
        clusters: z =>
          z
            .array(z.string(), {
              description: 'Clusters the service depends on, as entity refs',
            })
            .optional(),
        target: z =>
          z.enum(['git', 'github'], {
            description:
              'git: a server of fleetdeck.git.servers; github: GitHub via publish:github',
          }),
        server: z =>
          z
            .string({
              description: 'git target: the server name (first if unset)',
            })
            .optional(),
        repo: z =>
          z
            .string({
              description: 'git target: repository path (the name if unset)',
            })
            .optional(),
        repoUrl: z =>
          z
            .string({
              description:
                'github target: the RepoUrlPicker value, github.com?owner=o&repo=r',
            })
            .optional(),
        defaultBranch: z =>
          z
            .string({ description: 'Default branch, "main" if unset' })
            .optional(),
      },
      output: {
        entityRef: z => z.string(),
        remoteUrl: z => z.string(),
        sourceLocation: z => z.string(),
        catalogInfoUrl: z => z.string(),
        gitopsRepoUrl: z => z.string(),
        deploymentsApiUrl: z => z.string(),
        owner: z => z.string(),
        system: z => z.string().optional(),
        clusters: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const name = checkServiceName(input.name);
      const branch = input.defaultBranch ?? 'main';
      const credentials = await ctx.getInitiatorCredentials();
      const lookup = async (ref: CompoundEntityRef, what: string) => {
        const text = stringifyEntityRef(ref);
        const entity = await catalog.getEntityByRef(text, { credentials });
        if (!entity) {
          throw new InputError(`The ${what} ${text} is not in the catalog`);
        }
        return text;
      };
      const refOfKind = (value: string, kind: string, what: string) => {
        const ref = tryParseEntityRef(value, { defaultKind: kind });
        if (!ref) {
          throw new InputError(`The ${what} "${value}" is not an entity ref`);
        }
        if (ref.kind.toLocaleLowerCase('en-US') !== kind) {
          throw new InputError(`The ${what} ${value} is not a ${kind}`);
        }
        return ref;
      };

      const entityRef = `component:default/${name}`;
      const taken = await catalog.getEntityByRef(entityRef, { credentials });
      if (taken) {
        throw new ConflictError(
          `The name ${name} is taken: ${entityRef} is already in the catalog (owner ${
            (taken.spec?.owner as string) ?? 'unknown'
          }). Choose another name.`,
        );
      }
      const owner = await lookup(
        refOfKind(input.owner, 'group', 'owner'),
        'owner',
      );
      const system = input.system
        ? await lookup(refOfKind(input.system, 'system', 'system'), 'system')
        : undefined;
      const clusters: string[] = [];
      for (const cluster of input.clusters ?? []) {
        clusters.push(
          await lookup(refOfKind(cluster, 'cluster', 'cluster'), 'cluster'),
        );
      }

      let remoteUrl: string;
      let sourceLocation: string;
      let catalogInfoUrl: string;
      if (input.target === 'github') {
        const { owner: org, repo } = parseRepoPickerUrl(input.repoUrl);
        remoteUrl = `https://github.com/${org}/${repo}`;
        sourceLocation = `${remoteUrl}/tree/${branch}/`;
        catalogInfoUrl = `${remoteUrl}/blob/${branch}/catalog-info.yaml`;
      } else {
        const resolved = servers.resolve({
          server: input.server,
          repo: input.repo ?? name,
        });
        remoteUrl = resolved.remoteUrl;
        sourceLocation = gitTreeUrl(remoteUrl, branch);
        catalogInfoUrl = gitBlobUrl(remoteUrl, branch, 'catalog-info.yaml');
        if (!ctx.isDryRun) {
          await assertBranchEmpty({ servers, ...resolved, branch });
        }
      }

      ctx.output('entityRef', entityRef);
      ctx.output('remoteUrl', remoteUrl);
      ctx.output('sourceLocation', sourceLocation);
      ctx.output('catalogInfoUrl', catalogInfoUrl);
      ctx.output('gitopsRepoUrl', configuredGitopsRepoUrl(config) ?? '');
      ctx.output(
        'deploymentsApiUrl',
        `${await discovery.getExternalBaseUrl('deployments')}/v1/deployments`,
      );
      ctx.output('owner', owner);
      if (system) ctx.output('system', system);
      ctx.output('clusters', clusters);
      ctx.logger.info(
        `${entityRef} is free; it will live in ${remoteUrl} (branch ${branch})`,
      );
    },
  });
}

function parseRepoPickerUrl(value?: string): { owner: string; repo: string } {
  const match = value?.match(/^github\.com\?(.*)$/);
  const params = new URLSearchParams(match?.[1] ?? '');
  const owner = params.get('owner');
  const repo = params.get('repo');
  const segment = /^[A-Za-z0-9_.-]+$/;
  if (!owner || !repo || !segment.test(owner) || !segment.test(repo)) {
    throw new InputError(
      `The GitHub repository "${
        value ?? ''
      }" is not of the form github.com?owner=<owner>&repo=<repo>`,
    );
  }
  return { owner, repo };
}
