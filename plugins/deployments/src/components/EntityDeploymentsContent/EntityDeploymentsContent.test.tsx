import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DeploymentDiff,
  EntityDeploymentsOverview,
} from '@fleetdeck/plugin-deployments-common';
import { fireEvent, screen } from '@testing-library/react';
import { DeploymentsApi, deploymentsApiRef } from '../../api/DeploymentsApi';
import { EntityDeploymentsContent } from './EntityDeploymentsContent';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'payments', lifecycle: 'production' },
};
const PROD = 'a'.repeat(40);
const STAGING = 'b'.repeat(40);
const deployment = (
  environment: string,
  commitSha: string,
  version: string,
) => ({
  id: environment.length,
  entityRef: 'component:default/payments-api',
  environment,
  commitSha,
  version,
  deployedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
  deployedBy: 'release-bot',
  pipelineUrl: 'https://ci.fleetdeck.example/runs/1',
  status: 'succeeded' as const,
  source: 'api',
  recordedAt: new Date().toISOString(),
});

const overview: EntityDeploymentsOverview = {
  entityRef: 'component:default/payments-api',
  environments: [
    { environment: 'dev', history: [] },
    {
      environment: 'staging',
      current: deployment('staging', STAGING, '1.5.0-rc.1'),
      history: [],
    },
    {
      environment: 'production',
      current: deployment('production', PROD, '1.4.0'),
      history: [],
    },
  ],
  comparisons: [
    {
      head: 'staging',
      base: 'production',
      summary: {
        base: PROD,
        head: STAGING,
        status: 'ahead',
        ahead: 2,
        behind: 0,
      },
    },
  ],
};

const diff: DeploymentDiff = {
  base: PROD,
  head: STAGING,
  status: 'ahead',
  ahead: 2,
  behind: 0,
  side: 'ahead',
  offset: 0,
  limit: 50,
  total: 2,
  truncated: false,
  commits: [
    {
      sha: 'c'.repeat(40),
      parents: ['d'.repeat(40), 'e'.repeat(40)],
      authorName: 'Fleetdeck Bot',
      authorEmail: 'bot@fleetdeck.example',
      authoredAt: new Date().toISOString(),
      subject: 'Merge pull request #107 from fleetdeck-bank/feature/PAY-146',
      isMerge: true,
      references: [
        {
          type: 'pull-request',
          key: '#107',
          url: 'https://git.example/pull/107',
        },
      ],
      files: [],
    },
    {
      sha: 'd'.repeat(40),
      parents: [PROD],
      authorName: 'Emma Dubois',
      authorEmail: 'emma.dubois@fleetdeck.example',
      authoredAt: new Date().toISOString(),
      subject: 'PAY-142 Reject expired cards early (#102)',
      isMerge: false,
      references: [
        {
          type: 'pull-request',
          key: '#102',
          title: 'Reject expired cards',
          author: 'emma',
          url: 'https://git.example/pull/102',
        },
        {
          type: 'ticket',
          key: 'PAY-142',
          url: 'https://jira.fleetdeck.example/browse/PAY-142',
        },
      ],
      files: [{ path: 'src/orders.ts', additions: 12, deletions: 3 }],
    },
  ],
};

describe('EntityDeploymentsContent', () => {
  it('shows each environment and expands the commits staging would bring to production', async () => {
    const api: jest.Mocked<DeploymentsApi> = {
      getOverview: jest.fn().mockResolvedValue(overview),
      getDiff: jest.fn().mockResolvedValue(diff),
      getRangeFiles: jest.fn().mockResolvedValue([]),
      getDrift: jest.fn(),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentsApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntityDeploymentsContent />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('aaaaaaa')).toBeInTheDocument();
    expect(screen.getByText('1.5.0-rc.1')).toBeInTheDocument();
    expect(screen.getByText('Nothing deployed')).toBeInTheDocument();
    expect(
      screen.getAllByText(/Deployed 3 hours ago by release-bot/),
    ).toHaveLength(2);

    fireEvent.click(
      screen.getByRole('button', { name: /2 commits ahead of production/ }),
    );
    expect(
      await screen.findByText('Commits in staging not yet in production'),
    ).toBeInTheDocument();
    expect(api.getDiff).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        base: PROD,
        head: STAGING,
        side: 'ahead',
      }),
    );
    expect(
      await screen.findByText('PAY-142 Reject expired cards early (#102)'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /^Ticket PAY-142/ }),
    ).toHaveAttribute('href', 'https://jira.fleetdeck.example/browse/PAY-142');
    expect(screen.getByText('#102 Reject expired cards')).toBeInTheDocument();
    expect(
      screen.getByText('merge', { selector: '.MuiChip-label' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /1 file/ }));
    expect(screen.getByText('src/orders.ts')).toBeInTheDocument();
    expect(screen.getByText('Showing 2 of 2')).toBeInTheDocument();
  });
});
