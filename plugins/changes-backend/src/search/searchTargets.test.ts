import { Entity } from '@backstage/catalog-model';
import { RepositoryResolver } from '@fleetdeck/fleetdeck-node';
import { mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { searchTargets } from './searchTargets';

const root = mkdtempSync(join(tmpdir(), 'fleetdeck-targets-'));
mkdirSync(join(root, 'payments-api'));
const resolver = new RepositoryResolver({
  allowedHosts: ['github.com'],
  allowedRoots: [root],
  configPath: 'changes.git',
});

const component = (
  name: string,
  annotations: Record<string, string>,
  spec: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'bank', title: `The ${name}`, annotations },
  spec: { type: 'service', ...spec },
});

describe('searchTargets', () => {
  it('resolves each entity to its repository, with full owner and system refs', () => {
    const { targets, failed } = searchTargets(
      [
        component(
          'payments-api',
          { 'fleetdeck.io/git-repo': 'payments-api' },
          { owner: 'payments', system: 'system:default/core' },
        ),
        component('cards', {
          'backstage.io/source-location':
            'url:https://github.com/acme/cards/tree/main/',
        }),
      ],
      resolver,
    );
    expect(failed).toEqual([]);
    expect(targets).toEqual([
      {
        entityRef: 'component:bank/payments-api',
        title: 'The payments-api',
        owner: 'group:bank/payments',
        system: 'system:default/core',
        repository: expect.objectContaining({ name: 'payments-api' }),
      },
      {
        entityRef: 'component:bank/cards',
        title: 'The cards',
        owner: undefined,
        system: undefined,
        repository: expect.objectContaining({
          url: 'https://github.com/acme/cards.git',
        }),
      },
    ]);
  });

  it('reports entities whose repository cannot be resolved, with why', () => {
    const { targets, failed } = searchTargets(
      [
        component('no-repo', {}),
        component('elsewhere', {
          'fleetdeck.io/git-repo': 'https://169.254.169.254/latest/x',
        }),
        component('outside', { 'fleetdeck.io/git-repo': '/etc' }),
      ],
      resolver,
    );
    expect(targets).toEqual([]);
    expect(failed).toEqual([
      {
        entityRef: 'component:bank/no-repo',
        message: expect.stringMatching(/neither a fleetdeck.io\/git-repo/),
      },
      {
        entityRef: 'component:bank/elsewhere',
        message: 'Git host 169.254.169.254 is not in changes.git.allowedHosts',
      },
      {
        entityRef: 'component:bank/outside',
        message: 'Local repository /etc is outside changes.git.allowedRoots',
      },
    ]);
  });
});
