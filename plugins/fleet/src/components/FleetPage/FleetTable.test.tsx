import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { FleetTable } from './FleetTable';

const cluster = (name: string, owner?: string) => ({
  apiVersion: 'fleetdeck.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name, namespace: 'default' },
  spec: {
    engine: 'kafka',
    version: '3.7.1',
    environment: 'production',
    ...(owner ? { owner } : {}),
    region: 'eu-central-1',
    nodes: ['a', 'b', 'c'],
  },
});

const state = {
  q: '',
  filters: {},
  sort: 'name' as const,
  order: 'asc' as const,
};

describe('FleetTable', () => {
  it("links each row's cluster and owner to their entity pages and ticks rows by ref", async () => {
    const onSelect = jest.fn();
    await renderInTestApp(
      <FleetTable
        state={state}
        facets={{}}
        items={[
          cluster('kafka-c0', 'group:default/sre'),
          cluster('kafka-c5', 'platform-kafka'),
          cluster('kafka-c10'),
        ]}
        total={3}
        offset={0}
        onChange={() => {}}
        selected={new Set(['cluster:default/kafka-c5'])}
        onSelect={onSelect}
      />,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(screen.getByRole('link', { name: 'kafka-c0' })).toHaveAttribute(
      'href',
      '/catalog/default/cluster/kafka-c0',
    );
    expect(screen.getByRole('link', { name: 'sre' })).toHaveAttribute(
      'href',
      '/catalog/default/group/sre',
    );
    // an owner without a kind is a Group
    expect(
      screen.getByRole('link', { name: 'platform-kafka' }),
    ).toHaveAttribute('href', '/catalog/default/group/platform-kafka');
    expect(screen.getAllByRole('link')).toHaveLength(5);
    expect(
      screen.getByRole('checkbox', { name: 'Select kafka-c5' }),
    ).toBeChecked();
    expect(
      screen.getByRole('checkbox', { name: 'Select kafka-c0' }),
    ).not.toBeChecked();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select kafka-c10' }));
    expect(onSelect).toHaveBeenLastCalledWith(
      ['cluster:default/kafka-c10'],
      true,
    );
    expect(screen.getByText('1–3 of 3 clusters')).toBeInTheDocument();
  });
});
