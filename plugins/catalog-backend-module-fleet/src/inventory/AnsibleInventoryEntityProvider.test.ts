import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type {
  CatalogService,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { DEFAULT_ANSIBLE_FIELDS } from './ansibleClusters';
import { AnsibleInventoryEntityProvider } from './AnsibleInventoryEntityProvider';

/** The catalog as the provider sees it: owners and the clusters it emitted before. */
function fakeCatalog(entities: Entity[]): CatalogService {
  return {
    async *streamEntities(request: any) {
      const kinds = [request.filter.kind]
        .flat()
        .map((k: string) => k.toLocaleLowerCase());
      yield entities.filter(e => kinds.includes(e.kind.toLocaleLowerCase()));
    },
  } as unknown as CatalogService;
}

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

describe('AnsibleInventoryEntityProvider, bad input', () => {
  let dir: string;
  let mutations: EntityProviderMutation[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-provider-'));
    mutations = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const provider = async (
    path: string,
    options: {
      maxBytes?: number;
      org?: Entity[];
      ownerRecheckMs?: number;
    } = {},
  ) => {
    const p = new AnsibleInventoryEntityProvider(
      {
        id: 'test',
        logger: mockServices.logger.mock(),
        taskRunner: { run: async () => {} },
        catalog: fakeCatalog(options.org ?? [group('platform-kafka')]),
        auth: mockServices.auth(),
        maxShrinkRatio: 0.2,
        ownerRecheckMs: options.ownerRecheckMs,
      },
      {
        path,
        maxBytes: options.maxBytes ?? 20 * 1024 * 1024,
        rules: {
          groupVar: 'fleetdeck_cluster',
          fields: DEFAULT_ANSIBLE_FIELDS,
        },
      },
    );
    await p.connect({
      applyMutation: async m => void mutations.push(m),
      refresh: async () => {},
    });
    return p;
  };

  const ini = (owner: string) =>
    `[kafka_a]\nkafka-a-[1:2].example\n\n[kafka_a:vars]\nfleetdeck_cluster=true\nfleetdeck_engine=kafka\nfleetdeck_version="3.5.1"\nfleetdeck_environment=production\nfleetdeck_owner=${owner}\n`;

  const fullMutations = () =>
    mutations.filter(
      (m): m is Extract<EntityProviderMutation, { type: 'full' }> =>
        m.type === 'full',
    );
  const clusterOf = (m: Extract<EntityProviderMutation, { type: 'full' }>) =>
    m.entities.find(e => e.entity.kind === 'Cluster')!.entity;
  /** The status entity's message, as last emitted. */
  const statusMessage = () => {
    const last = mutations[mutations.length - 1];
    const entities =
      last.type === 'full' ? last.entities : (last.added as typeof last.added);
    return entities.find(e => e.entity.kind === 'Location')!.entity.metadata
      .annotations!['fleetdeck.io/inventory-message'];
  };
  const until = async (done: () => boolean) => {
    const started = Date.now();
    while (!done() && Date.now() - started < 5_000)
      await new Promise(r => setTimeout(r, 5));
  };
  const unknownOwner =
    'group kafka_a (hosts.ini): spec.owner: group:default/platform-kafak is not a Group or User in the catalog';

  it('names a cluster whose owner is not in the catalog on the status entity once the org has settled, and serves the cluster unchanged', async () => {
    writeFileSync(join(dir, 'hosts.ini'), ini('platform-kafak'));
    const p = await provider(join(dir, 'hosts.ini'));
    // The first check cannot tell a wrong owner from an org still being ingested.
    const first = await p.refresh();
    p.stop();
    expect(first.status).toBe('ok');
    expect(first.message).toContain(
      'owners not in the catalog yet (org still being ingested?), checked again in 15 s: group:default/platform-kafak',
    );
    // The same Groups and Users at three checks in a row: the owner is wrong.
    expect((await p.refresh()).status).toBe('ok');
    p.stop();
    const result = await p.refresh();
    p.stop();
    expect(result.status).toBe('warnings');
    expect(result.message).toContain(unknownOwner);
    expect(statusMessage()).toContain(unknownOwner);
    // the cluster is the same at every refresh: served, owner as written
    const clusters = fullMutations().map(clusterOf);
    expect(clusters).toHaveLength(3);
    expect(clusters[2].spec!.owner).toBe('platform-kafak');
    expect(clusters[2].metadata.annotations).not.toHaveProperty(
      'fleetdeck.io/inventory-problems',
    );
    expect(clusters[1]).toEqual(clusters[0]);
    expect(clusters[2]).toEqual(clusters[0]);
  });

  it('rechecks owners without applying the inventory again, and names the unknown owner on the status entity once the org has settled', async () => {
    writeFileSync(join(dir, 'hosts.ini'), ini('platform-kafak'));
    const p = await provider(join(dir, 'hosts.ini'), { ownerRecheckMs: 5 });
    try {
      await p.refresh();
      // awaited at the first check and the second; the third finds the same
      // Groups again and reports the owner
      await until(() => statusMessage().includes(unknownOwner));
      expect(statusMessage()).toContain(unknownOwner);
      // the rechecks after it (with backoff) find the same owner unknown
      await new Promise(r => setTimeout(r, 400));
      expect(fullMutations()).toHaveLength(1);
      expect(mutations.filter(m => m.type === 'delta')).toHaveLength(1);
    } finally {
      p.stop();
    }
  });

  it('reports the owners of an org with no Groups or Users once the rechecks run out, and keeps reporting them at the next refresh', async () => {
    writeFileSync(join(dir, 'hosts.ini'), ini('platform-kafka'));
    const p = await provider(join(dir, 'hosts.ini'), {
      org: [],
      ownerRecheckMs: 1,
    });
    try {
      expect((await p.refresh()).status).toBe('ok');
      await until(() =>
        statusMessage().includes('platform-kafka is not a Group or User'),
      );
      expect(statusMessage()).toContain(
        'platform-kafka is not a Group or User',
      );
      // the next scheduled refresh: the owner is not taken back
      const next = await p.refresh();
      expect(next.status).toBe('warnings');
      expect(next.message).toContain('platform-kafka is not a Group or User');
    } finally {
      p.stop();
    }
  });

  it('refuses a cluster group defined in two files of a directory inventory', async () => {
    mkdirSync(join(dir, 'inv'));
    writeFileSync(join(dir, 'inv', 'a'), ini('platform-kafka'));
    writeFileSync(
      join(dir, 'inv', 'b.yml'),
      'kafka_a:\n  hosts:\n    kafka-a-9.example:\n',
    );
    const result = await (await provider(join(dir, 'inv'))).refresh();
    expect(result.status).toBe('failed');
    expect(result.message).toContain(
      "duplicate cluster 'kafka-a': group kafka_a is defined in a and b.yml",
    );
    expect(mutations).toEqual([
      expect.objectContaining({ type: 'delta', removed: [] }),
    ]);
  });

  it('refuses a 50 MB inventory with the limit in the message, before parsing it', async () => {
    writeFileSync(join(dir, 'huge.ini'), `# ${'x'.repeat(50 * 1024 * 1024)}\n`);
    const result = await (await provider(join(dir, 'huge.ini'))).refresh();
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/larger than the limit of 20\.0 MB/);
  });

  it('names file and line of a malformed INI inventory, as Ansible does', async () => {
    writeFileSync(
      join(dir, 'hosts.ini'),
      '[kafka]\nkafka-1.example ; not a comment\n',
    );
    const result = await (await provider(join(dir, 'hosts.ini'))).refresh();
    expect(result.message).toContain(
      'hosts.ini:2: Expected key=value host variable assignment, got: ;',
    );
  });
});
