import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { RunbookSummary } from '@fleetdeck/plugin-runbooks-common';
import {
  runbooksApiRef,
  runbooksRouteRef,
} from '@fleetdeck/plugin-runbooks-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { RunbookCard } from './RunbookCard';
import { makeRun, mockRunbooksApi } from '../RunPage/testData';

const runbook: RunbookSummary = {
  entityRef: 'runbook:default/kafka-rolling-patch',
  name: 'kafka-rolling-patch',
  title: 'Kafka rolling patch',
  description: 'Upgrades a Kafka cluster one broker at a time.',
  owner: 'group:default/platform-kafka',
  targets: { kind: 'Cluster', 'spec.engine': 'kafka' },
  steps: [{ id: 'patch', executor: 'ansible' }],
  concurrency: 5,
  approval: {
    when: { 'spec.environment': 'production' },
    approvers: ['group:default/sre'],
  },
  dryRunSupported: true,
  trust: { trusted: true },
};

const entity = {
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'kafka-payments-prod', namespace: 'default' },
  spec: { engine: 'kafka', environment: 'production' },
};

async function renderCard(
  entityRef: string,
  allow: boolean,
  options: { runbook?: RunbookSummary; untrustedTarget?: string } = {},
) {
  const api = mockRunbooksApi(makeRun(), []);
  api.listRuns.mockResolvedValue({
    items: [
      makeRun({
        status: 'succeeded',
        requestedBy: 'user:default/jonas.weber',
        finishedAt: '2026-11-21T10:03:10Z',
      }),
    ],
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [runbooksApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          }),
        ],
      ]}
    >
      <RunbookCard
        runbook={options.runbook ?? runbook}
        entity={entity}
        entityRef={entityRef}
        untrustedTarget={options.untrustedTarget}
        onRun={() => {}}
      />
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/runbooks': runbooksRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
  return api;
}

describe('RunbookCard', () => {
  it('shows the runbook, its last runs and Run to someone allowed to run it', async () => {
    const api = await renderCard('cluster:default/kafka-payments-prod', true);
    expect(
      await screen.findByRole('button', { name: 'Run' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/· 1 step · 5 at a time · needs approval by/),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'sre' })).toHaveAttribute(
      'href',
      '/catalog/default/group/sre',
    );
    expect(
      await screen.findByText(/jonas\.weber · 3m 10s/),
    ).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith({
      runbookRef: 'runbook:default/kafka-rolling-patch',
      entityRef: 'cluster:default/kafka-payments-prod',
      limit: 3,
    });
  });

  it('hides Run when the permission framework denies runbooks.run', async () => {
    await renderCard('cluster:default/kafka-cards-prod', false);
    expect(await screen.findByText(/jonas\.weber/)).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Run' }),
    ).not.toBeInTheDocument();
  });

  it('says why an untrusted runbook cannot run, and offers no Run', async () => {
    const reason =
      'Not trusted: runbook:default/kafka-rolling-patch was read from url:https://git.example/guest/x/catalog-info.yaml, which is neither a catalog location in app-config nor under runbooks.trustedSources';
    await renderCard('cluster:default/kafka-payments-prod', true, {
      runbook: { ...runbook, trust: { trusted: false, reason } },
    });
    expect(await screen.findByText(reason)).toBeInTheDocument();
    expect(await screen.findByText(/jonas\.weber/)).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Run' }),
    ).not.toBeInTheDocument();
  });

  it('offers no Run on an entity runbooks may not act on', async () => {
    await renderCard('cluster:default/kafka-payments-prod', true, {
      untrustedTarget: 'Not a trusted target',
    });
    expect(await screen.findByText(/jonas\.weber/)).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Run' }),
    ).not.toBeInTheDocument();
  });
});
