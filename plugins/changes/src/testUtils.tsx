import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  ChangeDetail,
  ChangeRepository,
} from '@fleetdeck/plugin-changes-common';
import { ChangesApi } from './api/ChangesApi';
import { changesRouteRef } from './routes';

/** Routes the plugin's components link to, mounted for tests. */
export const mountedRoutes = {
  '/changes': changesRouteRef,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

/** A ChangesApi whose every method is a jest mock (none resolves unless told). */
export function mockChangesApi(): jest.Mocked<ChangesApi> {
  return {
    search: jest.fn(),
    listChanges: jest.fn(),
    listRecipes: jest.fn(),
    createChange: jest.fn(),
    getChange: jest.fn(),
    getDiff: jest.fn(),
    apply: jest.fn(),
    approve: jest.fn(),
    cancel: jest.fn(),
    close: jest.fn(),
    updateBranches: jest.fn(),
    refresh: jest.fn(),
  };
}

export const repo = (
  name: string,
  patch: Partial<ChangeRepository> = {},
): ChangeRepository => ({
  entityRef: `component:default/${name}`,
  state: 'previewed',
  repository: { url: `https://git.example/${name}.git` },
  attempts: 1,
  updatedAt: '2025-06-10T12:00:00Z',
  ...patch,
});

/** A change at various stages in five repositories. */
export function makeChange(patch: Partial<ChangeDetail> = {}): ChangeDetail {
  return {
    id: 'c1',
    title: 'Move to Node 20',
    description: 'Node 16 is out of support.',
    state: 'applying',
    createdBy: 'user:default/emma.dubois',
    createdAt: new Date(Date.now() - 3600_000).toISOString(),
    updatedAt: new Date().toISOString(),
    branch: 'fleetdeck/change-c1',
    concurrency: 8,
    counts: { merged: 1, pr_open: 1, failed: 1, previewed: 1, no_change: 1 },
    total: 5,
    targets: { owner: ['group:default/payments'] },
    recipe: [
      {
        type: 'replace',
        files: ['Dockerfile'],
        pattern: 'node:16',
        fixedString: true,
        flags: '',
        replacement: 'node:20',
      },
    ],
    repositories: [
      repo('payments-api', {
        state: 'merged',
        files: [{ path: 'Dockerfile', added: 1, removed: 1 }],
        pullRequest: {
          number: 41,
          url: 'https://git.example/payments-api/pull/41',
        },
        checks: 'passing',
      }),
      repo('card-tokenizer', {
        state: 'pr_open',
        files: [{ path: 'Dockerfile', added: 2, removed: 1 }],
        pullRequest: {
          number: 7,
          url: 'https://git.example/card-tokenizer/pull/7',
        },
        checks: 'failing',
      }),
      repo('ledger', {
        state: 'failed',
        error: 'push rejected: protected branch',
        attempts: 3,
      }),
      repo('fx-rates', {
        files: [{ path: 'Dockerfile', added: 1, removed: 1 }],
      }),
      repo('docs-site', { state: 'no_change' }),
    ],
    ...patch,
  };
}
